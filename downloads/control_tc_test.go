package downloads

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// Settings: defaults, a patch of every field, a bad value of each (a
// TypeError naming it; nothing changes), and they survive a restart.
func TestSettingsPatchAndRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if got := e.m.Settings(); !reflect.DeepEqual(got, model.DefaultSettings()) {
		t.Fatalf("defaults = %+v", got)
	}
	window := []model.ScheduleWindow{{Days: []string{"mon", "sat"}, From: "22:00", To: "06:00", MaxBytesPerSecond: 500000}}
	want := model.Settings{MaxConnections: 3, MaxBytesPerSecond: 1 << 20, ConnectionsPerFile: 4, Schedule: window,
		Metered: model.MeteredWait, Proxy: "socks5h://user:pw@127.0.0.1:1080", Notifications: false, KeepHistoryDays: 7}
	got, err := e.m.UpdateSettings(model.SettingsPatch{MaxConnections: ptr(3), MaxBytesPerSecond: ptr[int64](1 << 20),
		ConnectionsPerFile: ptr(4), Schedule: &window, Metered: ptr(model.MeteredWait), Proxy: ptr(want.Proxy),
		Notifications: ptr(false), KeepHistoryDays: ptr(7)})
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("patch: %+v %v", got, err)
	}
	for field, p := range map[string]model.SettingsPatch{
		"maxConnections":     {MaxConnections: ptr(0)},
		"maxBytesPerSecond":  {MaxBytesPerSecond: ptr[int64](-1)},
		"connectionsPerFile": {ConnectionsPerFile: ptr(17)},
		"metered":            {Metered: ptr(model.MeteredPolicy("sometimes"))},
		"proxy":              {Proxy: ptr("ftp://127.0.0.1:21")},
		"keepHistoryDays":    {KeepHistoryDays: ptr(0)},
		"schedule[0]: days":  {Schedule: &[]model.ScheduleWindow{{Days: []string{"someday"}, From: "01:00", To: "02:00"}}},
		"schedule[0]: from":  {Schedule: &[]model.ScheduleWindow{{Days: []string{"mon"}, From: "25:00", To: "02:00"}}},
	} {
		_, err := e.m.UpdateSettings(p)
		if e := model.AsError(err); e == nil || e.Name != model.TypeError || !bytes.Contains([]byte(e.Message), []byte(field)) {
			t.Errorf("bad %s: %v", field, err)
		}
	}
	if got := e.m.Settings(); !reflect.DeepEqual(got, want) {
		t.Fatalf("a refused patch changed the settings: %+v", got)
	}
	e.restart()
	if got := e.m.Settings(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after a restart: %+v", got)
	}
}

// A fetch's speed limit holds over seconds, and a new limit applies to
// the running transfer within a second.
func TestFetchSpeedLimitLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	u := srv.Put("/f", randomBytes(16<<20))
	reg := e.fetchOpts("limited", model.FetchRequest{MaxBytesPerSecond: 1 << 20, Connections: 1}, u)
	rate := func(d time.Duration) float64 {
		r0, _ := e.m.Registration(reg.UID)
		time.Sleep(d)
		r1, _ := e.m.Registration(reg.UID)
		return float64(r1.Downloaded-r0.Downloaded) / d.Seconds()
	}
	time.Sleep(300 * time.Millisecond)
	if got := rate(2 * time.Second); got < 0.85*(1<<20) || got > 1.15*(1<<20) {
		t.Fatalf("limited to 1 MiB/s: %.0f B/s", got)
	}
	if _, err := e.m.Update(reg.UID, model.RegistrationPatch{MaxBytesPerSecond: ptr[int64](2 << 20)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if got := rate(2 * time.Second); got < 0.85*(2<<20) || got > 1.15*(2<<20) {
		t.Fatalf("after PATCH to 2 MiB/s: %.0f B/s", got)
	}
	if r, _ := e.m.Registration(reg.UID); r.Speed < 1<<20 || r.MaxBytesPerSecond != 2<<20 {
		t.Fatalf("registration says speed %d, limit %d", r.Speed, r.MaxBytesPerSecond)
	}
	if _, err := e.m.Update(reg.UID, model.RegistrationPatch{Priority: ptr(model.Priority("urgent"))}); model.NameOf(err) != model.TypeError {
		t.Fatalf("bad priority: %v", err)
	}
}

// The global limit caps all transfers together; a paused schedule window
// stops everything (waiting-network, waitReason schedule) until it ends.
func TestGlobalLimitAndPausedSchedule(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	a, b := srv.Put("/a", randomBytes(8<<20)), srv.Put("/b", randomBytes(8<<20))
	if _, err := e.m.UpdateSettings(model.SettingsPatch{MaxBytesPerSecond: ptr[int64](1 << 20)}); err != nil {
		t.Fatal(err)
	}
	ra, rb := e.fetchOpts("a", model.FetchRequest{Connections: 1}, a), e.fetchOpts("b", model.FetchRequest{Connections: 1}, b)
	sum := func() int64 {
		x, _ := e.m.Registration(ra.UID)
		y, _ := e.m.Registration(rb.UID)
		return x.Downloaded + y.Downloaded
	}
	time.Sleep(300 * time.Millisecond)
	s0 := sum()
	time.Sleep(2 * time.Second)
	if got := float64(sum()-s0) / 2; got < 0.85*(1<<20) || got > 1.15*(1<<20) {
		t.Fatalf("two fetches under a global 1 MiB/s: %.0f B/s", got)
	}
	always := []model.ScheduleWindow{{Days: []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}, From: "00:00", To: "00:00", Paused: true}}
	if _, err := e.m.UpdateSettings(model.SettingsPatch{Schedule: &always}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the schedule to pause both", 5*time.Second, func() bool {
		x, _ := e.m.Registration(ra.UID)
		y, _ := e.m.Registration(rb.UID)
		return x.State == model.StateWaitingNetwork && x.WaitReason == model.WaitSchedule &&
			y.State == model.StateWaitingNetwork && y.WaitReason == model.WaitSchedule
	})
	time.Sleep(200 * time.Millisecond) // what was in flight is stored
	s1 := sum()
	time.Sleep(500 * time.Millisecond)
	if s2 := sum(); s2 != s1 {
		t.Fatalf("%d bytes arrived inside a paused window", s2-s1)
	}
	if _, err := e.m.UpdateSettings(model.SettingsPatch{Schedule: &[]model.ScheduleWindow{}, MaxBytesPerSecond: ptr[int64](0)}); err != nil {
		t.Fatal(err)
	}
	for _, uid := range []string{ra.UID, rb.UID} {
		if got := e.waitSettled(uid, 20*time.Second); got.Result != model.ResultSuccess {
			t.Fatalf("after the window: %+v", got)
		}
	}
}

func TestScheduleWindows(t *testing.T) {
	t.Parallel()
	mon := time.Date(2026, 11, 30, 23, 30, 0, 0, time.Local) // a Monday
	night := model.ScheduleWindow{Days: []string{"mon"}, From: "22:00", To: "06:00", MaxBytesPerSecond: 100}
	day := model.ScheduleWindow{Days: []string{"tue"}, From: "09:00", To: "17:00", Paused: true}
	for _, c := range []struct {
		at     time.Time
		paused bool
		rate   int64
	}{
		{mon, false, 100},                         // Monday night
		{mon.Add(6 * time.Hour), false, 100},      // Tuesday 05:30, still Monday's night window
		{mon.Add(7 * time.Hour), false, -1},       // Tuesday 06:30: no window
		{mon.Add(10 * time.Hour), true, 0},        // Tuesday 09:30: paused
		{mon.Add(-2 * time.Hour), false, -1},      // Monday 21:30
		{mon.Add(7*24*time.Hour + 0), false, 100}, // next Monday
	} {
		paused, rate := scheduleEffect([]model.ScheduleWindow{night, day}, c.at)
		if paused != c.paused || rate != c.rate {
			t.Errorf("%s: paused %v rate %d, want %v %d", c.at.Format("Mon 15:04"), paused, rate, c.paused, c.rate)
		}
	}
}

// Priorities under maxConnections 1: queued high work goes first, then
// normal, then low, each in registration order.
func TestPriorityOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.MaxConnections = 1 })
	var mu sync.Mutex
	var order []string
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/busy" {
			<-release
		}
		mu.Lock()
		order = append(order, r.URL.Path)
		mu.Unlock()
		w.Write([]byte(r.URL.Path))
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	busy := e.fetch("busy", srv.URL+"/busy")
	waitFor(t, "the busy one to hold the slot", 5*time.Second, func() bool {
		r, _ := e.m.Registration(busy.UID)
		return r.State == model.StateRunning
	})
	for _, p := range []struct{ id, prio string }{{"low1", "low"}, {"norm1", "normal"}, {"high1", "high"}, {"low2", "low"}, {"high2", "high"}, {"norm2", "normal"}} {
		e.fetchOpts(p.id, model.FetchRequest{Priority: model.Priority(p.prio)}, srv.URL+"/"+p.id)
	}
	close(release)
	waitFor(t, "all to run", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(order) == 7
	})
	want := "/busy /high1 /high2 /norm1 /norm2 /low1 /low2"
	if got := fmt.Sprint(order); got != "["+want+"]" {
		t.Fatalf("order %s, want %s", got, want)
	}
}

// One host, one backoff: fetches of a host that refuses connections wait
// together (a probe per backoff step, not a dial each), and all go as
// soon as a probe gets through.
func TestUnreachableHostSharesOneBackoff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.BackoffMin, c.BackoffMax = 100*time.Millisecond, 200*time.Millisecond })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // refused from now on
	var uids []string
	for i := 0; i < 50; i++ {
		uids = append(uids, e.fetch(fmt.Sprint("dead", i), fmt.Sprintf("http://%s/f%d", addr, i)).UID)
	}
	waitFor(t, "all waiting for the network", 5*time.Second, func() bool {
		for _, uid := range uids {
			if r, _ := e.m.Registration(uid); r.State != model.StateWaitingNetwork || r.WaitReason != model.WaitNetwork {
				return false
			}
		}
		return true
	})
	// Serve on the same address now, counting connections.
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("the port was taken meanwhile: %v", err)
	}
	var conns sync.Map
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("up")) }),
		ConnState: func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Store(c, true)
			}
		}}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	start := time.Now()
	for _, uid := range uids {
		if got := e.waitSettled(uid, 10*time.Second); got.Result != model.ResultSuccess {
			t.Fatalf("after the host came back: %+v", got)
		}
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("the host's fetches took %s after it came back", took)
	}
}

// History: newest first, pages with cursors, the state filter, this app
// only; bad queries are TypeErrors.
func TestHistoryPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	u := srv.Put("/f", []byte("x"))
	var all []string
	for i := 0; i < 25; i++ {
		all = append([]string{e.fetch(fmt.Sprint("h", i), u).UID}, all...)
	}
	if _, err := e.m.Fetch("other", model.FetchRequest{ID: "x", Requests: model.GetRequests(u)}); err != nil {
		t.Fatal(err)
	}
	for _, uid := range all {
		e.waitSettled(uid, 10*time.Second)
	}
	var got []string
	next := ""
	for pages := 0; ; pages++ {
		page, err := e.m.History("test", HistoryQuery{Limit: 10, Before: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Registrations {
			got = append(got, r.UID)
		}
		if next = page.Next; next == "" {
			if pages != 2 {
				t.Fatalf("%d pages of 10 for 25", pages+1)
			}
			break
		}
	}
	if !reflect.DeepEqual(got, all) {
		t.Fatalf("history %v, want %v", got, all)
	}
	if page, _ := e.m.History("test", HistoryQuery{State: "active"}); len(page.Registrations) != 0 {
		t.Fatalf("active: %d", len(page.Registrations))
	}
	for _, q := range []HistoryQuery{{State: "done"}, {Limit: 1001}, {Limit: -1}, {Before: "garbage"}} {
		if _, err := e.m.History("test", q); model.NameOf(err) != model.TypeError {
			t.Errorf("%+v: %v", q, err)
		}
	}
}

// Retry of a cancelled fetch: a new registration with the same id and
// options and retryOf, that reuses the bytes already stored (a ranged
// request, not the whole file again); a successful fetch cannot be
// retried.
func TestRetryReusesStoredBytes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(4 << 20)
	u := srv.PutFile("/f", testserver.File{Body: body, ETag: `"v"`, Rate: 2 << 20})
	reg := e.fetchOpts("again", model.FetchRequest{Title: "Again", Priority: model.PriorityHigh, Connections: 1}, u)
	waitFor(t, "a checkpoint", 10*time.Second, func() bool {
		r, _ := e.m.Registration(reg.UID)
		return r.Downloaded > 1<<20
	})
	time.Sleep(100 * time.Millisecond) // a checkpoint after that
	e.m.Abort(reg.UID)
	e.waitSettled(reg.UID, 5*time.Second)
	sent := srv.BytesSent.Load()
	next, err := e.m.Retry(reg.UID)
	if err != nil {
		t.Fatal(err)
	}
	if next.RetryOf != reg.UID || next.ID != "again" || next.Title != "Again" || next.Priority != model.PriorityHigh || next.UID == reg.UID {
		t.Fatalf("retry = %+v", next)
	}
	got := e.waitSettled(next.UID, 20*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(next.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
	if again := srv.BytesSent.Load() - sent; again > int64(len(body))-(1<<20) {
		t.Fatalf("%d bytes sent again for a %d-byte file: the stored bytes were not reused", again, len(body))
	}
	if _, err := e.m.Retry(next.UID); model.NameOf(err) != model.InvalidStateError {
		t.Fatalf("retry of a success: %v", err)
	}
}
