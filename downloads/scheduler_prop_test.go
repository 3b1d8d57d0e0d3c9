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
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == "100" {
		f.Value.Set("25") // each check runs real transfers on a real store
	}
	var inFlight, maxInFlight atomic.Int64
	var flakyOnce sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		kind := strings.Split(r.URL.Path, "/")[1]
		switch kind {
		case "404":
			http.Error(w, "gone", http.StatusNotFound)
			return
		case "slow":
			time.Sleep(15 * time.Millisecond)
		case "flaky":
			if _, seen := flakyOnce.LoadOrStore(r.URL.Path, true); !seen {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
		}
		w.Write([]byte("body of " + r.URL.Path))
	}))
	defer srv.Close()

	check := 0
	rapid.Check(t, func(rt *rapid.T) {
		check++
		limit := rapid.IntRange(1, 4).Draw(rt, "limit")
		dir, err := os.MkdirTemp("", "bgfetch-prop-")
		if err != nil {
			rt.Fatal(err)
		}
		defer os.RemoveAll(dir)
		st, err := persistence.Open(dir, persistence.Options{GCInterval: -1})
		if err != nil {
			rt.Fatal(err)
		}
		defer st.Close()
		cfg := fastConfig()
		cfg.DataDir, cfg.Store, cfg.MaxConnections = dir, st, limit
		m, err := New(cfg)
		if err != nil {
			rt.Fatal(err)
		}
		defer m.Close()
		sub := m.Subscribe("")
		defer sub.Close()
		maxInFlight.Store(0)

		type want struct {
			uid    string
			failed bool
		}
		var wants []want
		fetches := rapid.IntRange(1, 6).Draw(rt, "fetches")
		for i := 0; i < fetches; i++ {
			n := rapid.IntRange(1, 5).Draw(rt, fmt.Sprintf("records%d", i))
			var reqs []model.Request
			failed := false
			for j := 0; j < n; j++ {
				kind := rapid.SampledFrom([]string{"ok", "ok", "slow", "404", "flaky"}).Draw(rt, "kind")
				failed = failed || kind == "404"
				reqs = append(reqs, model.Request{URL: fmt.Sprintf("%s/%s/%d-%d-%d", srv.URL, kind, check, i, j)})
			}
			reg, err := m.Fetch("prop", model.FetchRequest{ID: fmt.Sprint(i), Requests: reqs})
			if err != nil {
				rt.Fatal(err)
			}
			wants = append(wants, want{reg.UID, failed})
			if rapid.Bool().Draw(rt, "stagger") {
				time.Sleep(5 * time.Millisecond)
			}
		}

		settles := map[string]int{}
		deadline := time.After(20 * time.Second)
		for len(settles) < len(wants) {
			select {
			case ev := <-sub.C:
				switch ev.Type {
				case model.EventSuccess, model.EventFail, model.EventAbort:
					settles[ev.Registration.UID]++
				}
			case <-deadline:
				rt.Fatalf("starved: %d of %d fetches settled", len(settles), len(wants))
			}
		}
		time.Sleep(20 * time.Millisecond) // a duplicate settle would arrive now
		for {
			select {
			case ev := <-sub.C:
				switch ev.Type {
				case model.EventSuccess, model.EventFail, model.EventAbort:
					settles[ev.Registration.UID]++
				}
				continue
			default:
			}
			break
		}
		for _, w := range wants {
			if settles[w.uid] != 1 {
				rt.Fatalf("%s settled %d times", w.uid, settles[w.uid])
			}
			reg, _ := m.Registration(w.uid)
			if w.failed && reg.FailureReason != model.ReasonBadStatus || !w.failed && reg.Result != model.ResultSuccess {
				rt.Fatalf("%s settled as %q/%q; expected failed=%v", w.uid, reg.Result, reg.FailureReason, w.failed)
			}
		}
		if got := maxInFlight.Load(); got > int64(limit) {
			rt.Fatalf("%d requests in flight with a limit of %d", got, limit)
		}
	})
}
