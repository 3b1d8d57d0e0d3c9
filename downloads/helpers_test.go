package downloads

import (
	"crypto/rand"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// testEnv is a real Manager on a real Badger store in a temp dir.
type testEnv struct {
	t       *testing.T
	dir     string
	store   *persistence.Store
	m       *Manager
	cfg     Config
	stopped bool
}

func fastConfig() Config {
	return Config{
		StallTimeout:       2 * time.Second,
		BackoffMin:         20 * time.Millisecond,
		BackoffMax:         200 * time.Millisecond,
		CheckpointInterval: 50 * time.Millisecond,
		ProgressInterval:   20 * time.Millisecond,
		HeaderTimeout:      5 * time.Second,
		Logger:             testLogger(),
	}
}

func testLogger() *slog.Logger {
	if os.Getenv("BGFETCH_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func newEnv(t *testing.T, tweak ...func(*Config)) *testEnv {
	t.Helper()
	cfg := fastConfig()
	for _, f := range tweak {
		f(&cfg)
	}
	e := &testEnv{t: t, dir: t.TempDir(), cfg: cfg}
	e.start()
	t.Cleanup(e.stop)
	return e
}

func (e *testEnv) start() {
	e.t.Helper()
	st, err := persistence.Open(e.dir, persistence.Options{GCInterval: -1})
	if err != nil {
		e.t.Fatal(err)
	}
	cfg := e.cfg
	cfg.DataDir, cfg.Store = e.dir, st
	m, err := New(cfg)
	if err != nil {
		st.Close()
		e.t.Fatal(err)
	}
	e.store, e.m, e.stopped = st, m, false
}

func (e *testEnv) stop() {
	if e.stopped {
		return
	}
	e.stopped = true
	e.m.Close()
	e.store.Close()
}

// restart closes the manager and store cleanly and opens them again.
func (e *testEnv) restart() {
	e.stop()
	e.start()
}

func (e *testEnv) fetch(id string, urls ...string) model.Registration {
	e.t.Helper()
	reqs := make([]model.Request, len(urls))
	for i, u := range urls {
		reqs[i] = model.Request{URL: u}
	}
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: id, Requests: reqs})
	if err != nil {
		e.t.Fatalf("Fetch: %v", err)
	}
	return reg
}

// waitSettled waits for uid to settle and returns it.
func (e *testEnv) waitSettled(uid string, timeout time.Duration) model.Registration {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		reg, err := e.m.Registration(uid)
		if err != nil {
			e.t.Fatal(err)
		}
		if !reg.Active() {
			return reg
		}
		time.Sleep(10 * time.Millisecond)
	}
	reg, _ := e.m.Registration(uid)
	recs, _ := e.m.Records(uid)
	e.t.Fatalf("%s did not settle in %v: %+v records %+v", uid, timeout, reg, recs)
	return model.Registration{}
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *testEnv) body(uid string, index int) []byte {
	e.t.Helper()
	recs, err := e.m.Records(uid)
	if err != nil {
		e.t.Fatal(err)
	}
	if recs[index].Response == nil {
		e.t.Fatalf("record %d has no response: %+v", index, recs[index])
	}
	b, err := os.ReadFile(recs[index].Response.Path)
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// mountTmpfs mounts a tmpfs of size (mount's size=, e.g. "4m") on a fresh
// directory, unmounted at cleanup: another, small file system. It needs
// root, which CI has; elsewhere the test is skipped.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root (CI runs as root)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

func ptr[T any](v T) *T { return &v }

// killChild runs test of this test binary as a child process with env,
// and kills it with SIGKILL as soon as progressed reports true: a crash at
// an arbitrary point of a running transfer.
func killChild(t *testing.T, test string, env []string, progressed func() bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the child's progress", 20*time.Second, progressed)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}
