package downloads

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
	"github.com/bgfetch/bgfetch/persistence"
)

// Spec D.24 and grab issue #18: the resource changes while bgfetch is cut
// off; the resume's If-Range makes the server answer 200 and the record
// restarts from zero, ending with the new content only.
func TestResourceChangedWhileDisconnected(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	old := randomBytes(1 << 20)
	u := srv.Put("/f", old)
	srv.Cut(400<<10, 1)
	srv.Throttle(2 * time.Millisecond)
	e.m.mu.Lock()
	e.m.cfg.BackoffMin = 300 * time.Millisecond // time to swap the file
	e.m.mu.Unlock()
	reg := e.fetch("changed", u)
	waitFor(t, "the cut", 5*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		return r.State == model.StateWaitingNetwork
	})
	fresh := randomBytes(1<<20 + 1234)
	srv.Put("/f", fresh)
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess {
		t.Fatalf("settled = %+v", got)
	}
	if !bytes.Equal(e.body(reg.UID, 0), fresh) {
		t.Fatal("the body mixes the old and new resource")
	}
	if srv.Ranged.Load() == 0 {
		t.Fatal("the resume sent no Range request")
	}
}

// Spec D.24: a 206 that does not start at the expected offset fails the
// record with fetch-error.
func TestInvalid206IsFetchError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	u := srv.Put("/f", randomBytes(1<<20))
	srv.Cut(300<<10, 1)
	srv.Bad206(true)
	reg := e.fetch("bad206", u)
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultFailure || got.FailureReason != model.ReasonFetchError {
		t.Fatalf("settled = %+v", got)
	}
	recs, _ := e.m.Records(reg.UID)
	if recs[0].Error == "" {
		t.Fatal("the record does not say why")
	}
}

// A server without Range support: an interrupted body restarts from zero
// and completes correctly.
func TestNoRangeSupportRestarts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(1 << 20)
	u := srv.PutFile("/f", testserver.File{Body: body, ETag: `"norange"`, NoRange: true})
	srv.Cut(500<<10, 2)
	reg := e.fetch("norange", u)
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
	if sent := srv.BytesSent.Load(); sent < int64(len(body))+2*(500<<10) {
		t.Fatalf("only %d bytes sent: it cannot have restarted from zero twice", sent)
	}
}

// Interruptions mid-body are temporary: the record waits, resumes with a
// Range from the checkpoint, and no byte is fetched twice beyond the
// unsynced tail.
func TestCutsResumeWithRange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(2 << 20)
	u := srv.Put("/f", body)
	srv.Cut(256<<10, 5)
	reg := e.fetch("cuts", u)
	got := e.waitSettled(reg.UID, 20*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
	if srv.Ranged.Load() < 5 {
		t.Fatalf("%d ranged requests for 5 cuts", srv.Ranged.Load())
	}
}

// grab's shortcut: a partial as long as the remote resource counts as
// complete without a GET. bgfetch accepts it only when the validator
// matches; here the resource changed to one of exactly that length.
func TestPartialAsLongAsChangedResource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	u := srv.Put("/f", randomBytes(1<<20))
	srv.Cut(300<<10, 1)
	e.m.mu.Lock()
	e.m.cfg.BackoffMin = 400 * time.Millisecond
	e.m.mu.Unlock()
	reg := e.fetch("samesize", u)
	waitFor(t, "the cut", 5*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		return r.State == model.StateWaitingNetwork
	})
	e.stop()
	// The checkpoint's offset is now the length of the new resource.
	var off int64
	e.store, _ = persistence.Open(e.dir, persistence.Options{GCInterval: -1})
	e.store.View(func(tx *persistence.Tx) error {
		ck, err := tx.Checkpoint(reg.UID, 0)
		off = ck.Offset
		return err
	})
	e.store.Close()
	if off == 0 {
		t.Fatal("no checkpoint was written before the cut")
	}
	fresh := randomBytes(int(off))
	srv.Put("/f", fresh)
	e.start()
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), fresh) {
		t.Fatalf("settled = %+v; the old partial was taken for the new resource", got)
	}
}

// The partial file truncated or extended behind bgfetch's back between
// runs never ends up in the body.
func TestPartialChangedBehindOurBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mangle func(path string)
	}{
		{"truncated", func(p string) { os.Truncate(p, 1000) }},
		{"extended", func(p string) {
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			f.Write(bytes.Repeat([]byte("garbage!"), 10000))
			f.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			srv := testserver.New(t)
			body := randomBytes(1 << 20)
			u := srv.Put("/f", body)
			srv.Throttle(5 * time.Millisecond)
			reg := e.fetch("mangled", u)
			waitFor(t, "a checkpoint", 5*time.Second, func() bool {
				r, _ := e.m.Registration(reg.UID)
				return r.Downloaded > 300<<10
			})
			e.stop()
			tc.mangle(filepath.Join(e.dir, "bodies", reg.UID, "0"))
			srv.Throttle(0)
			e.start()
			got := e.waitSettled(reg.UID, 10*time.Second)
			if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
				t.Fatalf("settled = %+v; body corrupted", got)
			}
		})
	}
}

// 408/429/5xx are retried (honouring Retry-After) before bad-status.
func TestTransientStatusesRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(10 << 10)
	u := srv.Put("/f", body)
	srv.FailWith(503, 429, 408, 500)
	reg := e.fetch("flaky", u)
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
	// Past the retry budget a 503 is a bad-status failure.
	srv.FailWith(503, 503, 503, 503, 503, 503, 503, 503)
	reg2 := e.fetch("down", u)
	if got := e.waitSettled(reg2.UID, 10*time.Second); got.FailureReason != model.ReasonBadStatus {
		t.Fatalf("settled = %+v", got)
	}
}

// Spec D.23: a fetch registered while the server is unreachable waits
// (waiting-network, never a failure) and starts when it is back.
func TestOfflineThenOnline(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connections are refused
	e := newEnv(t)
	reg := e.fetch("offline", "http://"+addr+"/f")
	waitFor(t, "waiting-network", 5*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		return r.State == model.StateWaitingNetwork
	})
	time.Sleep(300 * time.Millisecond)
	if r, _ := e.m.Registration(reg.UID); !r.Active() {
		t.Fatalf("offline failed the fetch: %+v", r)
	}
	body := randomBytes(50 << 10)
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s was taken meanwhile: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
}

// A connection that stops sending is dropped after StallTimeout and the
// record resumes.
func TestStallReconnects(t *testing.T) {
	t.Parallel()
	body := randomBytes(256 << 10)
	hang := make(chan struct{})
	defer close(hang)
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"x"`)
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body[:1000])
			w.(http.Flusher).Flush()
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	defer srv.Close()
	e := newEnv(t, func(c *Config) { c.StallTimeout = 300 * time.Millisecond })
	reg := e.fetch("stall", srv.URL+"/f")
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
}

// grab issue #20: a redirect in front of the file during a resume.
func TestResumeThroughRedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(1 << 20)
	srv.Put("/real", body)
	srv.Cut(300<<10, 2)
	redirect := httptest.NewServer(http.RedirectHandler(srv.URL+"/real", http.StatusFound))
	defer redirect.Close()
	reg := e.fetch("redirect", redirect.URL+"/file")
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
}

// Nothing lost on crash: a child process running the engine on a
// three-file fetch is killed with SIGKILL at four points; after each
// restart it resumes from its checkpoints, and at the end every body is
// exact and the bytes sent again stay within a checkpoint interval's worth
// per running file per kill.
func TestKill9Resumes(t *testing.T) {
	t.Parallel()
	if os.Getenv("BGFETCH_CHILD_DIR") != "" {
		runChild(t)
		return
	}
	srv := testserver.New(t)
	const files, size, kills = 3, 4 << 20, 4
	var bodies [][]byte
	var urls []string
	for i := 0; i < files; i++ {
		bodies = append(bodies, randomBytes(size))
		urls = append(urls, srv.Put(fmt.Sprintf("/f%d", i), bodies[i]))
	}
	// 16 KiB per 3 ms: about 5 MB/s per connection.
	srv.Throttle(3 * time.Millisecond)
	dir := t.TempDir()
	stored := func() int64 {
		var n int64
		m, _ := filepath.Glob(filepath.Join(dir, "bodies", "*", "*"))
		for _, p := range m {
			if fi, err := os.Stat(p); err == nil {
				n += fi.Size()
			}
		}
		return n
	}
	start := time.Now()
	for kill := 0; kill < kills; kill++ {
		before := stored()
		killChild(t, "TestKill9Resumes", []string{"BGFETCH_CHILD_DIR=" + dir, "BGFETCH_CHILD_URLS=" + strings.Join(urls, " ")},
			func() bool { return stored() > before+1<<20 })
	}
	ranged := srv.Ranged.Load()
	e := &testEnv{t: t, dir: dir, cfg: fastConfig()}
	e.start()
	defer e.stop()
	regs := e.m.List()
	if len(regs) != 1 {
		t.Fatalf("%d registrations after the crashes", len(regs))
	}
	got := e.waitSettled(regs[0].UID, 30*time.Second)
	if got.Result != model.ResultSuccess {
		t.Fatalf("settled = %+v", got)
	}
	for i := range bodies {
		if !bytes.Equal(e.body(got.UID, i), bodies[i]) {
			t.Fatalf("file %d corrupted after kill -9", i)
		}
	}
	if ranged < kills-1 {
		t.Fatalf("only %d ranged requests across %d crashes: restarts did not resume", ranged, kills)
	}
	refetched := srv.BytesSent.Load() - files*size
	// Per kill and running file: what arrived since the last checkpoint
	// (50 ms at about 5 MB/s, doubled for scheduling noise) plus grab's
	// 256 KiB buffer.
	budget := int64(kills * files * (2*270<<10 + 256<<10))
	t.Logf("%d kills in %v; %d bytes sent again (budget %d), %d ranged requests",
		kills, time.Since(start).Round(time.Millisecond), refetched, budget, ranged)
	if refetched > budget {
		t.Fatalf("%d bytes sent again after %d kills; budget %d", refetched, kills, budget)
	}
}

func runChild(t *testing.T) {
	dir, urls := os.Getenv("BGFETCH_CHILD_DIR"), strings.Fields(os.Getenv("BGFETCH_CHILD_URLS"))
	e := &testEnv{t: t, dir: dir, cfg: fastConfig()}
	e.start()
	if len(e.m.List()) == 0 {
		reqs := make([]model.Request, len(urls))
		for i, u := range urls {
			reqs[i] = model.Request{URL: u}
		}
		if _, err := e.m.Fetch("test", model.FetchRequest{ID: "crash", Requests: reqs}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	select {} // until killed
}

// Spec C.25: a non-GET request that loses its connection fails with
// fetch-error instead of being retried.
func TestUploadConnectionLostIsFetchError(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	e := newEnv(t)
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "post", Requests: model.Requests{{URL: srv.URL + "/up", Method: "PUT", Body: []byte("payload")}}})
	if err != nil {
		t.Fatal(err)
	}
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.FailureReason != model.ReasonFetchError {
		t.Fatalf("settled = %+v", got)
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("the upload was sent %d times", n)
	}
}

// A transfer that keeps making progress between cuts is not slowed by an
// ever-growing backoff: progress starts the backoff over.
func TestBackoffResetsAfterProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.BackoffMin, c.BackoffMax = 50*time.Millisecond, 10*time.Second })
	srv := testserver.New(t)
	body := randomBytes(1 << 20)
	u := srv.Put("/f", body)
	srv.Cut(100<<10, 9)
	start := time.Now()
	reg := e.fetch("progress", u)
	// Without the reset the ninth retry alone would wait 6.4-12.8 s.
	got := e.waitSettled(reg.UID, 5*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
	t.Logf("10 attempts in %v", time.Since(start).Round(time.Millisecond))
}
