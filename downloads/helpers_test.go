package downloads

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

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

func (e *testEnv) fetch(id string, urls ...string) Registration {
	e.t.Helper()
	reqs := make([]Request, len(urls))
	for i, u := range urls {
		reqs[i] = Request{URL: u}
	}
	reg, err := e.m.Fetch("test", id, reqs, FetchOptions{})
	if err != nil {
		e.t.Fatalf("Fetch: %v", err)
	}
	return reg
}

// waitSettled waits for uid to settle and returns it.
func (e *testEnv) waitSettled(uid string, timeout time.Duration) Registration {
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
	return Registration{}
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

// resource is one file the test server serves.
type resource struct {
	body    []byte
	etag    string
	noRange bool // no Accept-Ranges, Range ignored
}

// fileServer is a real HTTP server with knobs for the faults bgfetch must
// survive. Every knob is read under mu.
type fileServer struct {
	*httptest.Server
	mu        sync.Mutex
	files     map[string]*resource
	cutAfter  int64 // close the connection after this many body bytes...
	cuts      int   // ...for this many more responses
	statuses  []int // answer these statuses first, one per request
	bad206    bool  // answer Range requests with a 206 at the wrong offset
	throttle  time.Duration
	requests  atomic.Int64
	ranged    atomic.Int64 // requests with a Range header
	heads     atomic.Int64
	bytesSent atomic.Int64
}

func newFileServer(t *testing.T) *fileServer {
	s := &fileServer{files: map[string]*resource{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *fileServer) put(path string, body []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = &resource{body: body, etag: fmt.Sprintf(`"v%d-%d"`, len(body), time.Now().UnixNano())}
	return s.URL + path
}

func (s *fileServer) set(f func(s *fileServer)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

func (s *fileServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.Method == http.MethodHead {
		s.heads.Add(1)
	}
	if r.Header.Get("Range") != "" && r.Method == http.MethodGet {
		s.ranged.Add(1)
	}
	s.mu.Lock()
	if len(s.statuses) > 0 {
		st := s.statuses[0]
		s.statuses = s.statuses[1:]
		s.mu.Unlock()
		w.Header().Set("Retry-After", "0")
		http.Error(w, "try again", st)
		return
	}
	res := s.files[r.URL.Path]
	cut := int64(-1)
	if s.cuts > 0 && r.Method == http.MethodGet {
		s.cuts--
		cut = s.cutAfter
	}
	bad206, throttle := s.bad206, s.throttle
	s.mu.Unlock()
	if res == nil {
		http.Error(w, "no such file", http.StatusNotFound)
		return
	}
	if bad206 && r.Header.Get("Range") != "" {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(res.body)-1, len(res.body)))
		w.Header().Set("ETag", res.etag)
		w.WriteHeader(http.StatusPartialContent)
		w.Write(res.body)
		return
	}
	var out http.ResponseWriter = w
	if cut >= 0 || throttle > 0 {
		out = &faultyWriter{ResponseWriter: w, left: cut, throttle: throttle}
	}
	cw := &countingWriter{ResponseWriter: out, n: &s.bytesSent}
	if res.noRange {
		r.Header.Del("Range")
		w.Header().Set("Content-Length", strconv.Itoa(len(res.body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			cw.Write(res.body)
		}
		return
	}
	w.Header().Set("ETag", res.etag)
	http.ServeContent(cw, r, "", time.Time{}, bytes.NewReader(res.body))
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// faultyWriter cuts the connection after left bytes (left < 0: never) and
// slows writes down.
type faultyWriter struct {
	http.ResponseWriter
	left     int64
	throttle time.Duration
}

func (f *faultyWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := p
		if len(chunk) > 16<<10 {
			chunk = chunk[:16<<10]
		}
		if f.left >= 0 && int64(len(chunk)) > f.left {
			chunk = chunk[:f.left]
		}
		n, err := f.ResponseWriter.Write(chunk)
		written += n
		if f.left >= 0 {
			f.left -= int64(n)
		}
		if err != nil {
			return written, err
		}
		p = p[n:]
		if f.left == 0 {
			f.ResponseWriter.(http.Flusher).Flush()
			conn, _, err := f.ResponseWriter.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return written, net.ErrClosed
		}
		if f.throttle > 0 {
			f.ResponseWriter.(http.Flusher).Flush()
			time.Sleep(f.throttle)
		}
	}
	return written, nil
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
