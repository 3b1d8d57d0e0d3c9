//go:build unix && !darwin

package notify

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

type clicks struct {
	mu  sync.Mutex
	got []string
}

func (c *clicks) add(s string) { c.mu.Lock(); c.got = append(c.got, s); c.mu.Unlock() }
func (c *clicks) list() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.got)
}

func onDiskSuccess(dir string) model.Event {
	return event(model.EventSuccess, func(e *model.Event) {
		e.Records = []model.Record{{State: model.RecordSuccess, Response: &model.Response{Status: 200, Path: filepath.Join(dir, "episode-5.mp3")}}}
	})
}

// TestActionsAndLanguage: a success with its file on disk offers Open and
// Show in folder besides the default click, in the Notifier's language;
// each action reaches OnAction, the default one OnClick.
func TestActionsAndLanguage(t *testing.T) {
	addr := privateBus(t)
	srv := startServer(t, addr, "actions", "body")
	var c clicks
	n := New(Options{Conn: connect(t, addr), IconDir: t.TempDir(), Words: words.New("de"),
		OnClick:  func(uid string) { c.add("click " + uid) },
		OnAction: func(uid, a string) { c.add(a + " " + uid) }})
	defer n.Close()
	n.Handle(onDiskSuccess(t.TempDir()))
	calls := srv.calls()
	if len(calls) != 1 {
		t.Fatalf("calls %+v", calls)
	}
	want := []string{"default", "In bgfetch zeigen", "open", "Öffnen", "folder", "Im Ordner zeigen"}
	if got := calls[0].Actions; !slices.Equal(got, want) {
		t.Fatalf("actions %q, want %q", got, want)
	}
	if calls[0].Summary != "Download abgeschlossen" || calls[0].Body != "Episode 5 — 1 Datei, 61 MB" {
		t.Fatalf("German %q %q", calls[0].Summary, calls[0].Body)
	}
	id := calls[0].ID
	srv.emit(t, "ActionInvoked", id, "folder")
	srv.emit(t, "ActionInvoked", id, "open")
	srv.emit(t, "ActionInvoked", id, "default")
	waitFor(t, "three actions", func() bool { return len(c.list()) == 3 })
	if got := c.list(); !slices.Equal(got, []string{"folder r_1", "open r_1", "click r_1"}) {
		t.Fatalf("got %v", got)
	}

	// A failure has only the default click (nothing on disk to open).
	n.Handle(event(model.EventFail, func(e *model.Event) {
		e.Registration.UID = "r_2"
		e.Registration.FailureReason = model.ReasonFetchError
	}))
	if got := srv.calls()[1].Actions; !slices.Equal(got, []string{"default", "In bgfetch zeigen"}) {
		t.Fatalf("failure actions %q", got)
	}
}

// TestNotificationsOff: with the setting off, nothing is shown (and a
// later title change raises nothing either).
func TestNotificationsOff(t *testing.T) {
	addr := privateBus(t)
	srv := startServer(t, addr, "actions")
	n := New(Options{Conn: connect(t, addr), IconDir: t.TempDir(), Enabled: func() bool { return false }})
	defer n.Close()
	n.Handle(event(model.EventSuccess))
	n.Handle(event(model.EventState, func(e *model.Event) { e.Registration.Result = model.ResultSuccess; e.Registration.Title = "New" }))
	if len(srv.calls()) != 0 {
		t.Fatalf("shown with notifications off: %+v", srv.calls())
	}
}

// TestRestoreAfterRestart: a notification still on screen when bgfetch
// stops is raised again, by its id, by the next process, whose click then
// reaches the new process; one the server closed is not; a state saved
// with another server is dropped.
func TestRestoreAfterRestart(t *testing.T) {
	addr := privateBus(t)
	srv := startServer(t, addr, "actions", "body")
	state := filepath.Join(t.TempDir(), "notifications.json")
	first := New(Options{Conn: connect(t, addr), IconDir: t.TempDir(), StateFile: state, OnAction: func(string, string) {}})
	first.Handle(onDiskSuccess(t.TempDir()))
	first.Handle(event(model.EventFail, func(e *model.Event) {
		e.Registration.UID, e.Registration.Title = "r_2", "Episode 6"
		e.Registration.FailureReason = model.ReasonFetchError
	}))
	calls := srv.calls()
	if len(calls) != 2 {
		t.Fatalf("calls %+v", calls)
	}
	kept, closed := calls[0].ID, calls[1].ID
	srv.emit(t, "NotificationClosed", closed, uint32(2))
	waitFor(t, "the close to be saved", func() bool {
		data, _ := os.ReadFile(state)
		return len(data) > 0 && strings.Contains(string(data), `"r_1"`) && !strings.Contains(string(data), `"r_2"`)
	})
	first.Close()

	var c clicks
	second := New(Options{Conn: connect(t, addr), IconDir: t.TempDir(), StateFile: state,
		OnClick: func(uid string) { c.add("click " + uid) }, OnAction: func(uid, a string) { c.add(a + " " + uid) }})
	defer second.Close()
	calls = srv.calls()
	if len(calls) != 3 {
		t.Fatalf("restore raised %d notifications, want 1: %+v", len(calls)-2, calls[2:])
	}
	re := calls[2]
	if re.Replaces != kept || re.Summary != calls[0].Summary || re.Body != calls[0].Body || !slices.Equal(re.Actions, calls[0].Actions) {
		t.Fatalf("restored %+v, was %+v", re, calls[0])
	}
	srv.emit(t, "ActionInvoked", kept, "default")
	srv.emit(t, "ActionInvoked", kept, "folder")
	waitFor(t, "the clicks at the new process", func() bool { return len(c.list()) == 2 })
	if got := c.list(); !slices.Equal(got, []string{"click r_1", "folder r_1"}) {
		t.Fatalf("got %v", got)
	}
	// A second success event for the restored fetch raises nothing new.
	second.Handle(onDiskSuccess(t.TempDir()))
	if len(srv.calls()) != 3 {
		t.Fatal("re-notified a restored fetch")
	}

	// Another server (a new session): the saved ids mean nothing there.
	addr2 := privateBus(t)
	srv2 := startServer(t, addr2, "actions", "body")
	third := New(Options{Conn: connect(t, addr2), IconDir: t.TempDir(), StateFile: state})
	defer third.Close()
	if len(srv2.calls()) != 0 {
		t.Fatalf("restored on another server: %+v", srv2.calls())
	}
}
