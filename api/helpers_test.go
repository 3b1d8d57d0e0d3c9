package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/persistence"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("BGFETCH_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// testEngine is a real store and Manager in a temporary data dir.
type testEngine struct {
	dir     string
	store   *persistence.Store
	manager *downloads.Manager
}

func newTestEngine(t testing.TB) *testEngine {
	t.Helper()
	dir := t.TempDir()
	store, err := persistence.Open(dir, persistence.Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	m, err := downloads.New(downloads.Config{
		DataDir: dir, Store: store, Logger: testLogger(t), MaxConnections: 64,
		BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		ProgressInterval: 10 * time.Millisecond,
	})
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Close()
		store.Close()
	})
	return &testEngine{dir: dir, store: store, manager: m}
}

// apiServer is the API over a real engine, on a real loopback listener.
type apiServer struct {
	*testEngine
	srv *httptest.Server
}

func newAPIServer(t testing.TB) *apiServer {
	t.Helper()
	e := newTestEngine(t)
	srv := httptest.NewServer(NewServer(e.manager, testToken, testLogger(t)))
	t.Cleanup(srv.Close)
	return &apiServer{testEngine: e, srv: srv}
}

// call sends an authorised request and returns status and body.
func (a *apiServer) call(t testing.TB, method, path string, body any, hdr ...string) (int, []byte) {
	t.Helper()
	resp := a.do(t, method, path, body, hdr...)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (a *apiServer) do(t testing.TB, method, path string, body any, hdr ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// errorName decodes an error body's name ("" when it is not one).
func errorName(b []byte) string {
	var eb ErrorBody
	json.Unmarshal(b, &eb)
	return eb.Error.Name
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, b, err)
	}
	return v
}

// fileServer serves /file/NAME (fixed bytes), /status/CODE, and /slow/NAME,
// which sends headers and a first chunk, then holds the connection until
// the test ends: a fetch of it stays active.
type fileServer struct {
	*httptest.Server
	release chan struct{}
	once    sync.Once
}

var testBody = bytes.Repeat([]byte("bgfetch "), 4096) // 32 KiB

func newFileServer(t testing.TB) *fileServer {
	t.Helper()
	fs := &fileServer{release: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("/file/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(w, r, "", time.Unix(1700000000, 0), bytes.NewReader(testBody))
	})
	mux.HandleFunc("/status/404", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such thing", http.StatusNotFound)
	})
	mux.HandleFunc("/slow/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		w.Write(testBody[:1000])
		w.(http.Flusher).Flush()
		select {
		case <-fs.release:
		case <-r.Context().Done():
		}
	})
	fs.Server = httptest.NewServer(mux)
	t.Cleanup(fs.Server.Close)
	t.Cleanup(fs.stop) // runs first: unblock slow answers before Close waits for them
	return fs
}

func (fs *fileServer) stop() { fs.once.Do(func() { close(fs.release) }) }

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settled waits until uid has settled and returns it.
func settled(t testing.TB, m *downloads.Manager, uid string) downloads.Registration {
	t.Helper()
	var reg downloads.Registration
	waitFor(t, "fetch "+uid+" to settle", 10*time.Second, func() bool {
		var err error
		reg, err = m.Registration(uid)
		return err == nil && !reg.Active()
	})
	return reg
}
