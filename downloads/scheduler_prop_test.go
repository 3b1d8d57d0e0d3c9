package downloads

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
	"pgregory.net/rapid"
)

// Scheduler invariants, over random fetch mixes (random connection limit,
// number of fetches and records, records that succeed, 404, are slow or
// answer 503 once):
//   - the connection limit is never exceeded (counted by the server);
//   - no fetch starves: every registration settles;
//   - every registration settles exactly once, with the right result.
func TestSchedulerProperties(t *testing.T) {
	t.Parallel()
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == "100" {
		f.Value.Set("25") // each check runs real transfers on a real store
	}
	srv := newPropServer(t)
	check := 0
	rapid.Check(t, func(rt *rapid.T) {
		check++
		limit := rapid.IntRange(1, 4).Draw(rt, "limit")
		m := newPropManager(rt, limit)
		sub := m.Subscribe("")
		defer sub.Close()
		srv.maxInFlight.Store(0)
		wants := registerDrawn(rt, m, srv.URL, check)
		settles := countSettles(rt, sub, len(wants))
		for _, w := range wants {
			if settles[w.uid] != 1 {
				rt.Fatalf("%s settled %d times", w.uid, settles[w.uid])
			}
			reg, _ := m.Registration(w.uid)
			if w.failed && reg.FailureReason != model.ReasonBadStatus || !w.failed && reg.Result != model.ResultSuccess {
				rt.Fatalf("%s settled as %q/%q; expected failed=%v", w.uid, reg.Result, reg.FailureReason, w.failed)
			}
		}
		if got := srv.maxInFlight.Load(); got > int64(limit) {
			rt.Fatalf("%d requests in flight with a limit of %d", got, limit)
		}
	})
}

// propServer answers /ok/, /slow/ (15 ms), /404/ and /flaky/ (a 503 first)
// and counts the requests in flight.
type propServer struct {
	*httptest.Server
	inFlight, maxInFlight atomic.Int64
	flakyOnce             sync.Map
}

func newPropServer(t *testing.T) *propServer {
	s := &propServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		for {
			m := s.maxInFlight.Load()
			if n <= m || s.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		switch strings.Split(r.URL.Path, "/")[1] {
		case "404":
			http.Error(w, "gone", http.StatusNotFound)
			return
		case "slow":
			time.Sleep(15 * time.Millisecond)
		case "flaky":
			if _, seen := s.flakyOnce.LoadOrStore(r.URL.Path, true); !seen {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("body of " + r.URL.Path))
	}))
	t.Cleanup(s.Close)
	return s
}

// newPropManager is a Manager with a connection limit on a fresh store,
// closed when the check ends.
func newPropManager(rt *rapid.T, limit int) *Manager {
	dir, err := os.MkdirTemp("", "bgfetch-prop-")
	if err != nil {
		rt.Fatal(err)
	}
	rt.Cleanup(func() { os.RemoveAll(dir) })
	st, err := persistence.Open(dir, persistence.Options{GCInterval: -1})
	if err != nil {
		rt.Fatal(err)
	}
	rt.Cleanup(func() { st.Close() })
	cfg := fastConfig()
	cfg.DataDir, cfg.Store, cfg.MaxConnections = dir, st, limit
	m, err := New(cfg)
	if err != nil {
		rt.Fatal(err)
	}
	rt.Cleanup(func() { m.Close() })
	return m
}

type propWant struct {
	uid    string
	failed bool
}

// registerDrawn registers drawn fetches of drawn records and says how
// each must end.
func registerDrawn(rt *rapid.T, m *Manager, base string, check int) []propWant {
	var wants []propWant
	fetches := rapid.IntRange(1, 6).Draw(rt, "fetches")
	for i := 0; i < fetches; i++ {
		n := rapid.IntRange(1, 5).Draw(rt, fmt.Sprintf("records%d", i))
		var reqs []model.Request
		failed := false
		for j := 0; j < n; j++ {
			kind := rapid.SampledFrom([]string{"ok", "ok", "slow", "404", "flaky"}).Draw(rt, "kind")
			failed = failed || kind == "404"
			reqs = append(reqs, model.Request{URL: fmt.Sprintf("%s/%s/%d-%d-%d", base, kind, check, i, j)})
		}
		reg, err := m.Fetch("prop", model.FetchRequest{ID: fmt.Sprint(i), Requests: reqs})
		if err != nil {
			rt.Fatal(err)
		}
		wants = append(wants, propWant{reg.UID, failed})
		if rapid.Bool().Draw(rt, "stagger") {
			time.Sleep(5 * time.Millisecond)
		}
	}
	return wants
}

// countSettles counts settle events per registration until n have
// settled, plus any duplicate arriving shortly after.
func countSettles(rt *rapid.T, sub *Subscription, n int) map[string]int {
	settles := map[string]int{}
	count := func(ev model.Event) {
		if ev.Type.Settles() {
			settles[ev.Registration.UID]++
		}
	}
	deadline := time.After(20 * time.Second)
	for len(settles) < n {
		select {
		case ev := <-sub.C:
			count(ev)
		case <-deadline:
			rt.Fatalf("starved: %d of %d fetches settled", len(settles), n)
		}
	}
	late := time.After(20 * time.Millisecond) // a duplicate settle would arrive now
	for {
		select {
		case ev := <-sub.C:
			count(ev)
		case <-late:
			return settles
		}
	}
}
