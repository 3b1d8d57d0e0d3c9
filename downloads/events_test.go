package downloads

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// Settle events are in the outbox before they are published, with a
// stable eventId, and survive a restart; clicks are durable too
// (spec C.22); updateUI is accepted once, for success/fail only (C.21).
func TestOutboxAndClickAndUpdateUI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	u := srv.Put("/f", []byte("hello"))
	sub := e.m.Subscribe("")
	defer sub.Close()
	reg := e.fetch("o", u)
	e.waitSettled(reg.UID, 10*time.Second)
	var published model.Event
	for published.Type != model.EventSuccess {
		select {
		case published = <-sub.C:
		case <-time.After(5 * time.Second):
			t.Fatal("no success event")
		}
	}
	if published.EventID == "" || len(published.Records) != 1 {
		t.Fatalf("published = %+v", published)
	}
	if err := e.m.Click(reg.UID); err != nil {
		t.Fatal(err)
	}
	e.restart()
	var stored []model.Event
	e.m.Outbox().After(0, func(ev model.Event, handled bool) bool {
		if handled {
			t.Errorf("event %s handled before anyone handled it", ev.EventID)
		}
		stored = append(stored, ev)
		return true
	})
	if len(stored) != 2 || stored[0].Type != model.EventSuccess || stored[1].Type != model.EventClick ||
		stored[0].EventID != published.EventID || stored[0].Registration.UID != reg.UID {
		t.Fatalf("outbox = %+v", stored)
	}
	if err := e.m.Outbox().MarkHandled(stored[0].Seq); err != nil {
		t.Fatal(err)
	}
	n := 0
	e.m.Outbox().After(0, func(ev model.Event, handled bool) bool {
		if ev.Seq == stored[0].Seq && !handled {
			t.Error("MarkHandled was not kept")
		}
		n++
		return true
	})
	if e.m.Outbox().Last() != stored[1].Seq || n != 2 {
		t.Fatalf("last seq %d, want %d", e.m.Outbox().Last(), stored[1].Seq)
	}

	title := "Episode 5 (downloaded)"
	if err := e.m.UpdateUI(reg.UID, model.EventClick, model.UpdateUI{Title: &title}); model.NameOf(err) != model.InvalidStateError {
		t.Fatalf("updateUI for a click = %v", err)
	}
	if err := e.m.UpdateUI(reg.UID, model.EventSuccess, model.UpdateUI{Title: &title}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.UpdateUI(reg.UID, model.EventSuccess, model.UpdateUI{Title: &title}); model.NameOf(err) != model.InvalidStateError {
		t.Fatalf("second updateUI = %v", err)
	}
	e.restart()
	if r, _ := e.m.Registration(reg.UID); r.Title != title {
		t.Fatalf("title after restart = %q", r.Title)
	}
	if err := e.m.Click("r_nope"); model.NameOf(err) != model.NotFoundError {
		t.Fatalf("click unknown = %v", err)
	}
	if err := e.m.Forget(reg.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Registration(reg.UID); model.NameOf(err) != model.NotFoundError {
		t.Fatalf("after Forget: %v", err)
	}
}

// A slow subscriber neither blocks the engine nor loses a durable event:
// progress for one registration is coalesced.
func TestBusCoalescesProgress(t *testing.T) {
	t.Parallel()
	var b bus
	s := b.subscribe("")
	defer s.Close()
	reg := model.Registration{UID: "r_1"}
	for i := 0; i < 1000; i++ {
		reg.Downloaded = int64(i)
		b.publish(model.Event{Type: model.EventProgress, Registration: reg})
	}
	b.publish(model.Event{Type: model.EventSuccess, Registration: reg})
	reg.Downloaded = 5000
	b.publish(model.Event{Type: model.EventProgress, Registration: reg})
	var got []model.Event
	timeout := time.After(2 * time.Second)
	for len(got) == 0 || got[len(got)-1].Registration.Downloaded != 5000 {
		select {
		case ev := <-s.C:
			got = append(got, ev)
		case <-timeout:
			t.Fatalf("got %d events", len(got))
		}
	}
	// The pump may have taken the first progress before coalescing began.
	last := got[len(got)-1]
	if last.Type != model.EventProgress || last.Registration.Downloaded != 5000 || got[len(got)-2].Type != model.EventSuccess {
		t.Fatalf("events = %+v", got)
	}
	if len(got) > 4 {
		t.Fatalf("%d events delivered; progress was not coalesced", len(got))
	}
}

// Maintenance forgets released registrations older than the history
// window and keeps the rest.
func TestMaintenanceForgetsOldHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	u := srv.Put("/f", []byte("x"))
	a, b := e.fetch("a", u), e.fetch("b", u)
	e.waitSettled(a.UID, 5*time.Second)
	e.waitSettled(b.UID, 5*time.Second)
	e.m.Release(a.UID)
	if _, err := e.m.UpdateSettings(model.SettingsPatch{KeepHistoryDays: ptr(2)}); err != nil {
		t.Fatal(err)
	}
	e.m.maintain(time.Now().Add(24 * time.Hour)) // within the two days: kept
	if _, err := e.m.Registration(a.UID); err != nil {
		t.Fatalf("released registration forgotten before keepHistoryDays: %v", err)
	}
	e.m.maintain(time.Now().Add(49 * time.Hour))
	if _, err := e.m.Registration(a.UID); model.NameOf(err) != model.NotFoundError {
		t.Fatalf("old released registration kept: %v", err)
	}
	if _, err := e.m.Registration(b.UID); err != nil {
		t.Fatalf("unreleased registration forgotten: %v", err)
	}
}

// The largest fetch the API accepts (10,000 requests with headers) is
// stored, survives a restart, settles and is forgotten, though it is far
// larger than one store transaction.
func TestLargestFetchRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.MaxConnections = 1 })
	reqs := make([]model.Request, model.MaxRequests)
	hdr := map[string]string{"Authorization": strings.Repeat("t", 500)}
	for i := range reqs {
		// Nothing listens on port 1023 here: the records wait.
		reqs[i] = model.Request{URL: fmt.Sprintf("http://127.0.0.1:1023/file-%d", i), Headers: hdr}
	}
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "huge", Requests: reqs})
	if err != nil {
		t.Fatal(err)
	}
	e.restart()
	recs, err := e.m.Records(reg.UID)
	if err != nil || len(recs) != model.MaxRequests {
		t.Fatalf("%d records after restart, %v", len(recs), err)
	}
	if ok, _ := e.m.Abort(reg.UID); !ok {
		t.Fatal("abort refused")
	}
	e.restart()
	if got, _ := e.m.Registration(reg.UID); got.FailureReason != model.ReasonAborted {
		t.Fatalf("after restart: %+v", got)
	}
	if err := e.m.Forget(reg.UID); err != nil {
		t.Fatal(err)
	}
}
