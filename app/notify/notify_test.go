//go:build unix && !darwin

package notify

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/godbus/dbus/v5"
)

func event(typ model.EventType, mutate ...func(*model.Event)) model.Event {
	ev := model.Event{Type: typ, Registration: model.Registration{
		UID: "r_1", App: "com.example.podcasts", ID: "ep-5", Title: "Episode 5",
		Downloaded: 61_000_000, State: model.StateSettled,
	}}
	switch typ {
	case model.EventSuccess:
		ev.Registration.Result = model.ResultSuccess
		ev.Records = make([]model.Record, 2)
	case model.EventFail, model.EventAbort:
		ev.Registration.Result = model.ResultFailure
	}
	for _, m := range mutate {
		m(&ev)
	}
	return ev
}

func TestFor(t *testing.T) {
	cases := []struct {
		name          string
		ev            model.Event
		ok            bool
		summary, body string
	}{
		{"success", event(model.EventSuccess), true, "Download complete", "Episode 5 — 2 files, 61 MB"},
		{"success one file, no title", event(model.EventSuccess, func(e *model.Event) {
			e.Records = e.Records[:1]
			e.Registration.Title = ""
			e.Registration.Downloaded = 1500
		}), true, "Download complete", "ep-5 — 1 file, 1.5 kB"},
		{"bad status", event(model.EventFail, func(e *model.Event) {
			e.Registration.FailureReason = model.ReasonBadStatus
			e.Records = []model.Record{{Response: &model.Response{Status: 200}}, {Response: &model.Response{Status: 404, StatusText: "Not Found"}}}
		}), true, "Download failed", "Episode 5 — the server answered with an error (404 Not Found)"},
		{"network error", event(model.EventFail, func(e *model.Event) {
			e.Registration.FailureReason = model.ReasonFetchError
		}), true, "Download failed", "Episode 5 — network error"},
		{"quota", event(model.EventFail, func(e *model.Event) {
			e.Registration.FailureReason = model.ReasonQuotaExceeded
		}), true, "Download failed", "Episode 5 — not enough storage space"},
		{"cancel gives none", event(model.EventAbort, func(e *model.Event) {
			e.Registration.FailureReason = model.ReasonAborted
		}), false, "", ""},
		{"progress gives none", event(model.EventProgress), false, "", ""},
		{"click gives none", event(model.EventClick), false, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, ok := For(nil, c.ev)
			if ok != c.ok || m.Summary != c.summary || m.Body != c.body {
				t.Fatalf("For = %v %q %q, want %v %q %q", ok, m.Summary, m.Body, c.ok, c.summary, c.body)
			}
		})
	}
}

// privateBus starts a dbus-daemon for the test and returns its address.
func privateBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon not installed")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1",
		"--address=unix:path="+filepath.Join(t.TempDir(), "bus"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	c, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fakeServer is an org.freedesktop.Notifications server on the test bus.
type fakeServer struct {
	conn *dbus.Conn
	caps []string

	mu     sync.Mutex
	next   uint32
	notifs []notifyCall
}

type notifyCall struct {
	App, Icon, Summary, Body string
	Replaces, ID             uint32
	Actions                  []string
	Hints                    map[string]dbus.Variant
}

func (s *fakeServer) GetCapabilities() ([]string, *dbus.Error) { return s.caps, nil }

func (s *fakeServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string,
	hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := replaces
	if id == 0 {
		s.next++
		id = s.next
	}
	s.notifs = append(s.notifs, notifyCall{app, icon, summary, body, replaces, id, actions, hints})
	return id, nil
}

func (s *fakeServer) calls() []notifyCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]notifyCall(nil), s.notifs...)
}

func startServer(t *testing.T, addr string, caps ...string) *fakeServer {
	t.Helper()
	s := &fakeServer{conn: connect(t, addr), caps: caps}
	if err := s.conn.Export(s, busPath, busIface); err != nil {
		t.Fatal(err)
	}
	if reply, err := s.conn.RequestName(busName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", reply, err)
	}
	return s
}

func (s *fakeServer) emit(t *testing.T, member string, args ...any) {
	t.Helper()
	if err := s.conn.Emit(busPath, busIface+"."+member, args...); err != nil {
		t.Fatal(err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClickThrough: the notification carries a "default" action; the
// server's ActionInvoked for it reaches OnClick with the fetch's uid
// (spec C.22). A later updateUI title replaces the notification.
func TestClickThrough(t *testing.T) {
	addr := privateBus(t)
	srv := startServer(t, addr, "actions", "body")
	var mu sync.Mutex
	var clicks []string
	var fallback int
	n := New(Options{
		Conn:         connect(t, addr),
		IconDir:      t.TempDir(),
		DefaultIcon:  []byte("png"),
		DesktopEntry: "io.github.bgfetch.bgfetch",
		OnClick:      func(uid string) { mu.Lock(); clicks = append(clicks, uid); mu.Unlock() },
		Fallback:     func(string, string, string) error { fallback++; return nil },
	})
	defer n.Close()
	if !n.ClickThrough() {
		t.Fatal("actions capability not seen")
	}

	n.Handle(event(model.EventProgress))
	n.Handle(event(model.EventAbort, func(e *model.Event) { e.Registration.FailureReason = model.ReasonAborted }))
	n.Handle(event(model.EventSuccess))
	n.Handle(event(model.EventSuccess)) // the same settle twice: one notification
	calls := srv.calls()
	if len(calls) != 1 {
		t.Fatalf("%d notifications, want 1: %+v", len(calls), calls)
	}
	c := calls[0]
	if c.App != "bgfetch" || c.Summary != "Download complete" || c.Body != "Episode 5 — 2 files, 61 MB" ||
		len(c.Actions) < 2 || c.Actions[0] != "default" {
		t.Fatalf("notification = %+v", c)
	}
	if de, _ := c.Hints["desktop-entry"].Value().(string); de != "io.github.bgfetch.bgfetch" {
		t.Fatalf("desktop-entry hint %q, want the desktop file's name", de)
	}
	if data, err := os.ReadFile(c.Icon); err != nil || string(data) != "png" {
		t.Fatalf("icon %q: %v %q", c.Icon, err, data)
	}

	// Another client's notification with an unknown id is ignored.
	srv.emit(t, "ActionInvoked", uint32(999), "default")
	srv.emit(t, "ActionInvoked", c.ID, "default")
	waitFor(t, "the click", func() bool { mu.Lock(); defer mu.Unlock(); return len(clicks) > 0 })
	mu.Lock()
	if len(clicks) != 1 || clicks[0] != "r_1" {
		t.Fatalf("clicks = %v", clicks)
	}
	mu.Unlock()

	// The handler's updateUI changes the title: the notification is replaced.
	n.Handle(event(model.EventState, func(e *model.Event) {
		e.Registration.Result = model.ResultSuccess
		e.Registration.Title = "Episode 5: The Return"
	}))
	calls = srv.calls()
	if len(calls) != 2 || calls[1].Replaces != c.ID || calls[1].Body != "Episode 5: The Return — 2 files, 61 MB" {
		t.Fatalf("after updateUI: %+v", calls)
	}
	if fallback != 0 {
		t.Fatalf("fallback used %d times", fallback)
	}
}

// TestFallbackWithoutActions: a server without the actions capability gets
// nothing over D-Bus from us; the fallback (beeep) shows the message.
func TestFallbackWithoutActions(t *testing.T) {
	addr := privateBus(t)
	srv := startServer(t, addr, "body")
	var got []string
	n := New(Options{Conn: connect(t, addr), IconDir: t.TempDir(),
		Fallback: func(s, b, _ string) error { got = append(got, s+": "+b); return nil }})
	defer n.Close()
	if n.ClickThrough() {
		t.Fatal("click-through claimed without actions")
	}
	n.Handle(event(model.EventFail, func(e *model.Event) { e.Registration.FailureReason = model.ReasonFetchError }))
	if len(got) != 1 || got[0] != "Download failed: Episode 5 — network error" || len(srv.calls()) != 0 {
		t.Fatalf("fallback %v, server %v", got, srv.calls())
	}
}

// TestNoBus: without D-Bus everything goes through the fallback.
func TestNoBus(t *testing.T) {
	var got int
	n := New(Options{NoBus: true, Fallback: func(string, string, string) error { got++; return nil }})
	defer n.Close()
	n.Handle(event(model.EventSuccess))
	if got != 1 || n.ClickThrough() {
		t.Fatalf("fallback calls %d", got)
	}
}
