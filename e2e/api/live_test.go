package e2eapi

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// Live handlers (api.md "Live handlers"): a connection to
// /v1/events?handle=true is its app's handler for the events of fetches
// with neither their own nor the app's command or webhook handler.

// TestLiveHandlerTakesWaitingEvent: an event that settled while no client
// was connected waits with its records; the next live handler gets it,
// handles it with updateUI, and then the records are released. Handling
// it again, or an unknown event, is a 404.
func TestLiveHandlerTakesWaitingEvent(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	f := testserver.New(t)
	reg := d.fetch(t, map[string]any{"id": "ep", "requests": f.URL + "/file/ep", "title": "Episode"})
	d.waitReg(t, reg.UID, "success", settled)
	time.Sleep(300 * time.Millisecond) // room for a wrong "handled at once"
	if r := d.waitReg(t, reg.UID, "settled", settled); !r.RecordsAvailable {
		t.Fatal("records released with no handler connected")
	}

	live := d.openEvents(t, "?handle=true", "")
	e := live.nextDurable(t)
	if e.ev.Type != "backgroundfetchsuccess" || e.ev.Registration.UID != reg.UID || e.id != e.ev.EventID {
		t.Fatalf("live handler got %+v", e)
	}
	body := `{"updateUI": {"title": "Episode, ready"}}`
	if status, b := d.call(t, "POST", "/v1/events/"+e.id+"/handled", body); status != 200 || strings.TrimSpace(string(b)) != `{"handled":true}` {
		t.Fatalf("handled: %d %s", status, b)
	}
	final := d.waitReg(t, reg.UID, "records released", func(r registration) bool { return !r.RecordsAvailable })
	if final.Title != "Episode, ready" {
		t.Fatalf("updateUI not applied: %q", final.Title)
	}
	if status, b := d.call(t, "POST", "/v1/events/"+e.id+"/handled", nil); status != 404 || errName(b) != "NotFoundError" {
		t.Fatalf("handled twice: %d %s", status, b)
	}
	if status, _ := d.call(t, "POST", "/v1/events/999999/handled", nil); status != 404 {
		t.Fatalf("unknown event: %d", status)
	}
	if status, _ := d.call(t, "POST", "/v1/events/x/handled", nil); status != 404 {
		t.Fatalf("malformed event id: %d", status)
	}
	// Another app's live handler never sees it.
	if status, _ := d.call(t, "POST", "/v1/events/"+e.id+"/handled", nil, "Bgfetch-App", "com.example.other"); status != 404 {
		t.Fatalf("other app: %d", status)
	}
}

// TestLiveHandlerOrderAndRefusals: one event at a time per registration,
// the next after the previous is handled; updateUI is refused on a click
// (409, nothing changes); an event with a command handler never goes to a
// live handler and cannot be handled by one.
func TestLiveHandlerOrderAndRefusals(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	f := testserver.New(t)
	reg := d.fetch(t, map[string]any{"id": "slow", "requests": f.URL + "/slow/s"})
	d.call(t, "POST", "/v1/registrations/"+reg.UID+"/click", nil)
	d.call(t, "POST", "/v1/registrations/"+reg.UID+"/abort", nil)
	owned := d.fetch(t, map[string]any{"id": "owned", "requests": f.URL + "/file/o",
		"handler": map[string]any{"command": handlerCommand("-exit", "1")}})
	d.waitReg(t, owned.UID, "settled", settled)

	live := d.openEvents(t, "?handle=true", "")
	click := live.nextDurable(t)
	if click.ev.Type != "backgroundfetchclick" || click.ev.Registration.UID != reg.UID {
		t.Fatalf("first event %+v", click)
	}
	select {
	case e := <-live.events:
		if e.hasID {
			t.Fatalf("a second event before the first was handled: %+v", e)
		}
	case <-time.After(300 * time.Millisecond):
	}
	if status, b := d.call(t, "POST", "/v1/events/"+click.id+"/handled", `{"updateUI": {"title": "no"}}`); status != 409 || errName(b) != "InvalidStateError" {
		t.Fatalf("updateUI on a click: %d %s", status, b)
	}
	if status, b := d.call(t, "POST", "/v1/events/"+click.id+"/handled", `{"updateUI": 5}`); status != 400 || errName(b) != "TypeError" {
		t.Fatalf("malformed answer: %d %s", status, b)
	}
	if status, b := d.call(t, "POST", "/v1/events/"+click.id+"/handled", nil); status != 200 {
		t.Fatalf("handled: %d %s", status, b)
	}
	abort := live.nextDurable(t)
	if abort.ev.Type != "backgroundfetchabort" || abort.ev.Registration.UID != reg.UID {
		t.Fatalf("second event %+v", abort)
	}
	// The command handler's event: not offered, not acceptable.
	all := d.openEvents(t, "", "0")
	for {
		e := all.nextDurable(t)
		if e.ev.Registration.UID != owned.UID {
			continue
		}
		if status, b := d.call(t, "POST", "/v1/events/"+e.id+"/handled", nil); status != 409 || errName(b) != "InvalidStateError" {
			t.Fatalf("handled of the command handler's event: %d %s", status, b)
		}
		break
	}
}

// TestLiveHandlerAfterKills: the event is delivered again after a kill -9
// of the client (a real curl process) between delivery and handled, and
// after a kill -9 of the daemon.
func TestLiveHandlerAfterKills(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "tcp:127.0.0.1:0")
	f := testserver.New(t)
	reg := d.fetch(t, map[string]any{"id": "ep", "requests": f.URL + "/file/ep"})
	d.waitReg(t, reg.UID, "settled", settled)

	// The client: curl as the live handler, killed once it got the event.
	curl := exec.Command("curl", "-sN", "-H", "Authorization: Bearer "+d.token, d.base+"/v1/events?handle=true")
	out, err := curl.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := curl.Start(); err != nil {
		t.Skipf("curl: %v", err)
	}
	sc := bufio.NewScanner(out)
	var first string
	for sc.Scan() {
		if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			first = id
			break
		}
	}
	curl.Process.Signal(syscall.SIGKILL)
	curl.Wait()
	if first == "" {
		t.Fatal("curl got no event")
	}

	// The next client gets it again; then the daemon is killed.
	live := d.openEvents(t, "?handle=true", "")
	if e := live.nextDurable(t); e.id != first {
		t.Fatalf("after the client's kill: event %s, want %s again", e.id, first)
	}
	d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
	os.Remove(filepath.Join(d.dir, "endpoint")) // the killed daemon's, stale
	d2 := startDaemon(t, d.dir, "tcp:127.0.0.1:0")
	live2 := d2.openEvents(t, "?handle=true", "")
	e := live2.nextDurable(t)
	if e.id != first || e.ev.Registration.UID != reg.UID {
		t.Fatalf("after the daemon's kill: %+v, want event %s", e, first)
	}
	if status, b := d2.call(t, "POST", "/v1/events/"+e.id+"/handled", nil); status != 200 {
		t.Fatalf("handled: %d %s", status, b)
	}
	d2.waitReg(t, reg.UID, "records released", func(r registration) bool { return !r.RecordsAvailable })
}

// TestLiveHandlerNeverStalls: a live handler that answers each event at
// once gets every one of a registration's queued events. The stream must
// not miss the wake-up of a `handled` that arrives while it is between
// reading the outbox and waiting again (the client answers as soon as the
// event is flushed, so that window is always raced).
func TestLiveHandlerNeverStalls(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	f := testserver.New(t)
	reg := d.fetch(t, map[string]any{"id": "clicked", "requests": f.URL + "/file/c"})
	d.waitReg(t, reg.UID, "settled", settled)
	const clicks = 100
	for range clicks {
		d.call(t, "POST", "/v1/registrations/"+reg.UID+"/click", nil)
	}
	live := d.openEvents(t, "?handle=true", "")
	for i := range clicks + 1 {
		e := live.nextDurable(t)
		if status, b := d.call(t, "POST", "/v1/events/"+e.id+"/handled", nil); status != 200 {
			t.Fatalf("event %d (%s): handled: %d %s", i, e.id, status, b)
		}
	}
}
