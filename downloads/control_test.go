package downloads

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// Spec C.17: abort returns true once, fires the abort event, keeps
// finished records readable and reports unfinished ones as aborted.
func TestAbort(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	small := srv.Put("/small", []byte("done"))
	srv.Throttle(20 * time.Millisecond)
	big := srv.Put("/big", randomBytes(8<<20))
	sub := e.m.Subscribe("")
	defer sub.Close()
	reg := e.fetch("ab", small, big)
	waitFor(t, "the big body to start", 5*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		return r.Downloaded > 100<<10
	})
	if ok, err := e.m.Abort(reg.UID); !ok || err != nil {
		t.Fatalf("first abort = %v, %v", ok, err)
	}
	if ok, _ := e.m.Abort(reg.UID); ok {
		t.Fatal("second abort returned true")
	}
	got, _ := e.m.Registration(reg.UID)
	if got.Result != model.ResultFailure || got.FailureReason != model.ReasonAborted {
		t.Fatalf("after abort: %+v", got)
	}
	recs, _ := e.m.MatchAll(reg.UID, model.MatchQuery{})
	if recs[0].State != model.RecordSuccess || recs[1].State != model.RecordAborted || !strings.Contains(recs[1].Error, "AbortError") {
		t.Fatalf("records = %+v", recs)
	}
	for {
		select {
		case ev := <-sub.C:
			if ev.Type == model.EventAbort {
				if ev.Registration.FailureReason != model.ReasonAborted {
					t.Fatalf("abort event = %+v", ev.Registration)
				}
				return
			}
			if ev.Type == model.EventSuccess || ev.Type == model.EventFail {
				t.Fatalf("got %s instead of abort", ev.Type)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no abort event")
		}
	}
}

// Pause stops transfers, keeps the state across a restart, and Resume
// completes the body from where it stopped.
func TestPauseResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	srv.Throttle(10 * time.Millisecond)
	body := randomBytes(4 << 20)
	u := srv.Put("/pr", body)
	reg := e.fetch("pr", u)
	waitFor(t, "some bytes", 5*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		return r.Downloaded > 256<<10
	})
	if err := e.m.Pause(reg.UID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the transfer to stop", 5*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		e.m.mu.Lock()
		defer e.m.mu.Unlock()
		return r.State == model.StatePaused && !e.m.fetches[reg.UID].recs[0].running
	})
	at, _ := e.m.Registration(reg.UID)
	time.Sleep(100 * time.Millisecond)
	if now, _ := e.m.Registration(reg.UID); now.Downloaded != at.Downloaded {
		t.Fatalf("bytes arrived while paused: %d → %d", at.Downloaded, now.Downloaded)
	}
	// Resume in the same process, pause again, then across a restart.
	if err := e.m.Resume(reg.UID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "bytes after resume", 5*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		return r.Downloaded > at.Downloaded
	})
	if err := e.m.Pause(reg.UID); err != nil {
		t.Fatal(err)
	}
	e.restart()
	if r, _ := e.m.Registration(reg.UID); r.State != model.StatePaused {
		t.Fatalf("after restart state = %s", r.State)
	}
	srv.Throttle(0)
	if err := e.m.Resume(reg.UID); err != nil {
		t.Fatal(err)
	}
	e.waitSettled(reg.UID, 10*time.Second)
	if !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatal("body differs after pause/resume")
	}
	t.Logf("requests=%d heads=%d ranged=%d", srv.Requests.Load(), srv.Heads.Load(), srv.Ranged.Load())
	if srv.Ranged.Load() == 0 {
		t.Fatal("resume did not use a Range request")
	}
}

// The scheduler shares one connection fairly between fetches.
func TestRoundRobin(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []string
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/block" {
			<-release
		} else {
			mu.Lock()
			order = append(order, r.URL.Path)
			mu.Unlock()
		}
		w.Write([]byte("x"))
	}))
	defer srv.Close()
	e := newEnv(t, func(c *Config) { c.MaxConnections = 1 })
	first := e.fetch("first", srv.URL+"/block") // holds the only connection
	a := e.fetch("a", srv.URL+"/a1", srv.URL+"/a2", srv.URL+"/a3")
	b := e.fetch("b", srv.URL+"/b1", srv.URL+"/b2", srv.URL+"/b3")
	close(release)
	for _, r := range []model.Registration{first, a, b} {
		e.waitSettled(r.UID, 10*time.Second)
	}
	if got := strings.Join(order, ""); got != "/a1/b1/a2/b2/a3/b3" {
		t.Fatalf("order = %s", got)
	}
}

// Spec C.19: match works while the fetch is active; the record's response
// becomes ready when that request completes.
func TestMatchDuringActiveFetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	quick := srv.Put("/quick", []byte("quick"))
	srv.Throttle(20 * time.Millisecond)
	slow := srv.Put("/slow", randomBytes(2<<20))
	reg := e.fetch("active", quick, slow)
	waitFor(t, "the quick record", 5*time.Second, func() bool {
		r, err := e.m.Match(reg.UID, model.MatchQuery{URL: quick})
		return err == nil && r != nil && r.State == model.RecordSuccess
	})
	r, err := e.m.Match(reg.UID, model.MatchQuery{URL: slow})
	if err != nil || r == nil {
		t.Fatalf("match of the running record = %v, %v", r, err)
	}
	if r.State == model.RecordSuccess {
		t.Fatal("the slow record claims to be ready while it transfers")
	}
	if reg2, _ := e.m.Registration(reg.UID); !reg2.Active() {
		t.Fatal("the fetch settled too early for this test")
	}
	srv.Throttle(0)
	e.waitSettled(reg.UID, 10*time.Second)
	if r, _ := e.m.Match(reg.UID, model.MatchQuery{URL: slow}); r == nil || r.State != model.RecordSuccess || r.Response.Size != 2<<20 {
		t.Fatalf("after completion: %+v", r)
	}
}

// Spec A.5: "aborted" wins over a failure of another record that has
// already happened while the fetch is still active.
func TestAbortWinsOverFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	srv.Throttle(20 * time.Millisecond)
	slow := srv.Put("/slow", randomBytes(4<<20))
	reg := e.fetch("both", srv.URL+"/missing", slow)
	waitFor(t, "the 404 record to fail", 5*time.Second, func() bool {
		recs, _ := e.m.Records(reg.UID)
		return recs[0].State == model.RecordFailed
	})
	if ok, _ := e.m.Abort(reg.UID); !ok {
		t.Fatal("abort refused")
	}
	if got, _ := e.m.Registration(reg.UID); got.FailureReason != model.ReasonAborted {
		t.Fatalf("failureReason = %q, want aborted", got.FailureReason)
	}
}

// A Resume that lands before the paused transfer has wound down still
// restarts it: the record returns to pending after Resume looked, and the
// fetch must be queued for the scheduler again then.
func TestPauseResumeAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	srv.Throttle(5 * time.Millisecond)
	body := randomBytes(2 << 20)
	reg := e.fetch("pra", srv.Put("/pra", body))
	for i := 0; i < 5; i++ {
		waitFor(t, "bytes to flow", 5*time.Second, func() bool {
			e.m.mu.Lock()
			defer e.m.mu.Unlock()
			return e.m.fetches[reg.UID].recs[0].running
		})
		if err := e.m.Pause(reg.UID); err != nil {
			t.Fatal(err)
		}
		if err := e.m.Resume(reg.UID); err != nil {
			t.Fatal(err)
		}
	}
	srv.Throttle(0)
	if got := e.waitSettled(reg.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("settled = %+v", got)
	}
	if !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatal("body differs")
	}
}
