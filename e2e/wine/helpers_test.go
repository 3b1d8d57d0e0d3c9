package e2ewine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/downloads/model"
)

var (
	dist, msi, shots string
	wineBin          string
	winTool          string // e2e/internal/wintool, built for Windows
)

func TestMain(m *testing.M) {
	dist, msi = os.Getenv("BGFETCH_WINE_DIST"), os.Getenv("BGFETCH_WINE_MSI")
	wineBin = os.Getenv("WINE")
	if dist == "" || wineBin == "" {
		fmt.Println("e2e/wine: skipped (run by packaging/windows/test-wine.sh, `make wine-test`)")
		os.Exit(0)
	}
	shots = os.Getenv("BGFETCH_WINE_SHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "bgfetch-wine-shots")
	}
	os.MkdirAll(shots, 0o755)
	dir, err := os.MkdirTemp("", "bgfetch-wine-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	winTool = filepath.Join(dir, "wintool.exe")
	build := exec.Command("go", "build", "-o", winTool, "github.com/bgfetch/bgfetch/e2e/internal/wintool")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build wintool:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// winPath is how a Windows program under Wine names a local path.
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// wine runs a Windows program (or Wine builtin) with args.
func wine(args ...string) *exec.Cmd { return exec.Command(wineBin, args...) }

// run runs wine args to the end and returns its output and exit status.
func run(t *testing.T, timeout time.Duration, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, wineBin, args...)
	// A program it starts (start.exe's) may hold the output pipe open.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee) && ctx.Err() == nil:
		return string(out), ee.ExitCode()
	case errors.Is(err, exec.ErrWaitDelay):
		return string(out), 0
	}
	t.Fatalf("wine %q: %v\n%s", args, err, out)
	return "", 0
}

// Window is a visible top-level window (wintool windows).
type Window struct {
	Class, Title string
	PID          uint32
	X, Y, W, H   int
}

func windows(t *testing.T) []Window {
	t.Helper()
	out, code := run(t, 20*time.Second, winTool, "windows")
	if code != 0 {
		t.Fatalf("wintool windows: %d %s", code, out)
	}
	var list []Window
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var w Window
		if err := dec.Decode(&w); err != nil {
			break // Wine's own lines, if any
		}
		list = append(list, w)
	}
	return list
}

// find returns the first visible window of class (and title, when given).
func find(t *testing.T, class, title string) (Window, bool) {
	for _, w := range windows(t) {
		if w.Class == class && (title == "" || w.Title == title) {
			return w, true
		}
	}
	return Window{}, false
}

// waitFor polls cond; on a timeout it saves the screen as
// failed-<test>.png and fails the test.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			shot(t, "failed-"+strings.NewReplacer("/", "-", " ", "_").Replace(t.Name()))
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// shot saves the screen (the virtual desktop) as shots/name.png.
func shot(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(shots, name+".png")
	if out, err := exec.Command("import", "-window", "root", p).CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v %s", err, out)
	}
	t.Logf("screenshot %s", p)
	return p
}

func xdo(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %q: %v %s", args, err, out)
	}
}

// regValue reads a string value of the prefix's registry ("" name: the
// key's default), reporting whether it is there.
func regValue(t *testing.T, key, name string) (string, bool) {
	t.Helper()
	args := []string{"reg", "query", key}
	if name == "" {
		args = append(args, "/ve")
	} else {
		args = append(args, "/v", name)
	}
	out, code := run(t, 20*time.Second, args...)
	if code != 0 {
		return "", false
	}
	m := regexp.MustCompile(`REG_\w+\s+(.*)`).FindStringSubmatch(out)
	if m == nil {
		return "", true
	}
	return strings.TrimRight(m[1], "\r\n "), true
}

// app is bgfetch.exe running on the virtual desktop.
type app struct {
	dir    string
	cmd    *exec.Cmd
	mu     sync.Mutex
	log    bytes.Buffer
	exited chan struct{}
	code   int
	c      *client.Client
}

func (a *app) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.log.Write(p)
}

func (a *app) logText() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.log.String()
}

// startApp runs `bgfetch.exe ARGS…` on dir and waits until it is ready.
func startApp(t *testing.T, dir string, args ...string) *app {
	t.Helper()
	os.Remove(filepath.Join(dir, "endpoint"))
	a := &app{dir: dir, exited: make(chan struct{})}
	a.cmd = wine(append([]string{filepath.Join(dist, "bgfetch.exe")}, args...)...)
	a.cmd.Stdout, a.cmd.Stderr = a, a
	// What it starts (the Open action's rundll32, a toast's PowerShell)
	// inherits the output pipe: do not wait for those once it exited.
	a.cmd.WaitDelay = 3 * time.Second
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		a.cmd.Wait()
		a.code = a.cmd.ProcessState.ExitCode()
		close(a.exited)
	}()
	t.Cleanup(func() { a.stop(t) })
	waitFor(t, 60*time.Second, "the endpoint file", func() bool {
		select {
		case <-a.exited:
			t.Fatalf("bgfetch.exe exited (%d) before it was ready:\n%s", a.code, a.logText())
		default:
		}
		_, err := os.Stat(filepath.Join(dir, "endpoint"))
		return err == nil
	})
	c, err := client.New(client.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	a.c = c
	return a
}

// stop ends the app as Windows' log-off does (wintool endsession) and
// waits for it.
func (a *app) stop(t *testing.T) {
	select {
	case <-a.exited:
		return
	default:
	}
	if out, code := run(t, time.Minute, winTool, "endsession", winPath(a.dir)); code != 0 {
		t.Logf("endsession: %d %s", code, out)
		a.cmd.Process.Kill()
	}
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		a.cmd.Process.Kill()
		t.Errorf("bgfetch.exe did not end within 30 s of log-off:\n%s", a.logText())
	}
}

func (a *app) waitExit(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-a.exited:
		return a.code
	case <-time.After(d):
		t.Fatalf("bgfetch.exe still running after %v:\n%s", d, a.logText())
	}
	return 0
}

// clicks counts the backgroundfetchclick events of uid so far (a replay
// of the durable events from the start).
func clicks(t *testing.T, c *client.Client, uid string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	evs, err := c.Events(ctx, client.EventsOptions{UID: uid, LastEventID: "0"})
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	n := 0
	for ev := range evs {
		if ev.Type == model.EventClick && ev.Registration.UID == uid {
			n++
		}
	}
	return n
}
