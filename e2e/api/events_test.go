package e2eapi

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestEventsOrderAndReconnect: durable events arrive in order with
// increasing ids; a client that reconnects with Last-Event-ID gets exactly
// what it missed, even across a daemon restart.
func TestEventsOrderAndReconnect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startDaemon(t, dir, "")
	f := testserver.New(t)
	live := d.openEvents(t, "", "")
	var uids []string
	for i := range 5 {
		reg := d.fetch(t, map[string]any{"id": fmt.Sprintf("e%d", i), "requests": f.URL + "/file/" + strconv.Itoa(i)})
		d.waitReg(t, reg.UID, "settle", settled)
		uids = append(uids, reg.UID)
	}
	var ids []uint64
	for _, uid := range uids {
		e := live.nextDurable(t)
		if e.ev.Registration.UID != uid || e.ev.Type != "backgroundfetchsuccess" {
			t.Fatalf("got %s of %s, want success of %s", e.ev.Type, e.ev.Registration.UID, uid)
		}
		id, _ := strconv.ParseUint(e.id, 10, 64)
		if len(ids) > 0 && id <= ids[len(ids)-1] {
			t.Fatalf("id %d after %d", id, ids[len(ids)-1])
		}
		ids = append(ids, id)
	}
	live.cancel()

	// Restart, then reconnect after the second event.
	d.stop(t)
	d = startDaemon(t, dir, "")
	replay := d.openEvents(t, "", strconv.FormatUint(ids[1], 10))
	for _, want := range uids[2:] {
		if e := replay.nextDurable(t); e.ev.Registration.UID != want {
			t.Fatalf("replay gave %s, want %s", e.ev.Registration.UID, want)
		}
	}
	// ... and then live events continue on the same stream.
	if status, _ := d.call(t, "POST", "/v1/registrations/"+uids[0]+"/click", nil); status != 200 {
		t.Fatal("click")
	}
	if e := replay.nextDurable(t); e.ev.Type != "backgroundfetchclick" || e.ev.Registration.UID != uids[0] {
		t.Fatalf("live after replay: %s %s", e.ev.Type, e.ev.Registration.UID)
	}
}
