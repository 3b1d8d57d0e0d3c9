package e2eapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/sse"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "bgfetch-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := setUpTarget(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// daemon is a running `bgfetch serve --headless`.
type daemon struct {
	dir      string
	listen   string
	endpoint string
	token    string
	http     *http.Client
	base     string
	cmd      *exec.Cmd
	log      *bytes.Buffer
	logMu    sync.Mutex
	exited   chan struct{}
}

// startDaemon runs the binary on dir (a new temp dir when empty) and waits
// for the endpoint file, the readiness signal.
func startDaemon(t *testing.T, dir, listen string, extra ...string) *daemon {
	t.Helper()
	return startDaemonCmd(t, dir, listen, nil, extra...)
}

// startDaemonCmd is startDaemon with prep changing the command before it
// starts (its environment, a wrapper).
func startDaemonCmd(t *testing.T, dir, listen string, prep func(*exec.Cmd), extra ...string) *daemon {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	args := append([]string{"serve", "--headless", "--data-dir", hostPath(dir), "--handler-retry-base", "50ms", "--handler-timeout", "10s"}, extra...)
	if listen != "" {
		args = append(args, "--listen", listen)
	}
	d := &daemon{dir: dir, listen: listen, log: &bytes.Buffer{}, exited: make(chan struct{})}
	d.cmd = exec.Command(binary, args...)
	// A process the daemon started (a handler, Wine's helpers) may hold
	// its output open after it died: Wait gives up on them after 5 s.
	d.cmd.WaitDelay = 5 * time.Second
	d.cmd.Stdout, d.cmd.Stderr = &syncWriter{mu: &d.logMu, w: d.log}, &syncWriter{mu: &d.logMu, w: d.log}
	if prep != nil {
		prep(d.cmd)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() { d.stop(t) })
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(dir, "endpoint"))
		if err == nil && len(b) > 0 {
			d.endpoint = strings.TrimSpace(string(b))
			break
		}
		select {
		case <-d.exited:
			t.Fatalf("bgfetch exited before it was ready:\n%s", d.logText())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no endpoint file after 20s:\n%s", d.logText())
		}
		time.Sleep(10 * time.Millisecond)
	}
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		t.Fatal(err)
	}
	d.token = strings.TrimSpace(string(tok))
	d.http, d.base = clientFor(d.endpoint)
	return d
}

func clientFor(endpoint string) (*http.Client, string) {
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 128}
	base := endpoint
	if path, ok := strings.CutPrefix(endpoint, "unix:"); ok {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
		base = "http://localhost"
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}, base
}

// stop asks the daemon to stop (SIGTERM; see askToStop), waits, and
// checks the endpoint file is withdrawn.
func (d *daemon) stop(t *testing.T) {
	select {
	case <-d.exited:
		return
	default:
	}
	d.askToStop(t)
	select {
	case <-d.exited:
	case <-time.After(20 * time.Second):
		d.cmd.Process.Kill()
		t.Errorf("bgfetch did not stop within 20s of being asked to:\n%s", d.logText())
		<-d.exited
	}
	if strings.Contains(d.logText(), "WARNING: DATA RACE") {
		t.Errorf("the daemon hit a data race:\n%s", d.logText())
	}
	if _, err := os.Stat(filepath.Join(d.dir, "endpoint")); !os.IsNotExist(err) {
		t.Errorf("endpoint file left after a clean shutdown (%v)", err)
	}
}

func (d *daemon) logText() string {
	d.logMu.Lock()
	defer d.logMu.Unlock()
	return d.log.String()
}

type syncWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// request builds a request with the token and optional header pairs
// ("Host" sets the Host header; "Authorization" "" removes the token).
func (d *daemon) request(t testing.TB, method, path string, body io.Reader, hdr ...string) *http.Request {
	req, err := http.NewRequest(method, d.base+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	for i := 0; i+1 < len(hdr); i += 2 {
		switch {
		case hdr[i] == "Host":
			req.Host = hdr[i+1]
		case hdr[i+1] == "":
			req.Header.Del(hdr[i])
		default:
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	return req
}

// call sends a request; body may be nil, a string or a value to encode.
func (d *daemon) call(t testing.TB, method, path string, body any, hdr ...string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	resp, err := d.http.Do(d.request(t, method, path, rd, hdr...))
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// registration is the part of the registration object the tests read.
type registration struct {
	UID              string `json:"uid"`
	App              string `json:"app"`
	ID               string `json:"id"`
	Title            string `json:"title"`
	Downloaded       int64  `json:"downloaded"`
	Result           string `json:"result"`
	FailureReason    string `json:"failureReason"`
	RecordsAvailable bool   `json:"recordsAvailable"`
	State            string `json:"state"`
}

type event struct {
	Type         string       `json:"type"`
	EventID      string       `json:"eventId"`
	Registration registration `json:"registration"`
}

func mustDecode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func errName(b []byte) string {
	var e struct {
		Error struct{ Name string } `json:"error"`
	}
	json.Unmarshal(b, &e)
	return e.Error.Name
}

// fetch creates a fetch and returns it.
func (d *daemon) fetch(t testing.TB, body map[string]any, hdr ...string) registration {
	t.Helper()
	status, b := d.call(t, "POST", "/v1/fetches", body, hdr...)
	if status != 201 {
		t.Fatalf("fetch: %d %s", status, b)
	}
	return mustDecode[registration](t, b)
}

// waitReg polls GET /v1/registrations/{uid} until cond holds.
func (d *daemon) waitReg(t testing.TB, uid, what string, cond func(registration) bool) registration {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, b := d.call(t, "GET", "/v1/registrations/"+uid, nil)
		if status == 200 {
			if reg := mustDecode[registration](t, b); cond(reg) {
				return reg
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s of %s (last %d %s)", what, uid, status, b)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func settled(r registration) bool { return r.Result != "" }

// eventStream reads a Server-Sent Events stream.
type eventStream struct {
	events chan sseEvent
	cancel context.CancelFunc
}

type sseEvent struct {
	id    string
	hasID bool
	ev    event
}

func (d *daemon) openEvents(t *testing.T, query, lastID string) *eventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req := d.request(t, "GET", "/v1/events"+query, nil).WithContext(ctx)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	stream := &http.Client{Transport: d.http.Transport}
	resp, err := stream.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("events: %v %v", resp, err)
	}
	s := &eventStream{events: make(chan sseEvent, 1024), cancel: cancel}
	go func() {
		defer close(s.events)
		defer resp.Body.Close()
		r := sse.NewReader(resp.Body)
		for {
			f, err := r.Next()
			if err != nil {
				return
			}
			cur := sseEvent{id: f.ID, hasID: f.HasID}
			if f.Data != "" && json.Unmarshal([]byte(f.Data), &cur.ev) == nil {
				s.events <- cur
			}
		}
	}()
	return s
}

// nextDurable skips progress/state events and returns the next durable one.
func (s *eventStream) nextDurable(t *testing.T) sseEvent {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				t.Fatal("event stream ended")
			}
			if e.ev.Type == "progress" || e.ev.Type == "state" {
				if e.hasID {
					t.Fatalf("%s event with an id", e.ev.Type)
				}
				continue
			}
			if !e.hasID {
				t.Fatalf("durable event without an id: %+v", e)
			}
			return e
		case <-timeout:
			t.Fatal("timed out waiting for a durable event")
		}
	}
}

// runCLI runs the binary with args and returns exit code, stdout, stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(cliBinary, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}
