package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/enginetest"
	"github.com/bgfetch/bgfetch/internal/sse"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	id    string
	hasID bool
	typ   string
	ev    model.Event
}

// openSSE connects to /v1/events and returns parsed events on a channel.
func (a *apiServer) openSSE(t *testing.T, query, lastID string, hdr ...string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", a.srv.URL+"/v1/events"+query, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ch := make(chan sseEvent, 256)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		r := sse.NewReader(resp.Body)
		for {
			f, err := r.Next()
			if err != nil {
				return
			}
			if f.Data == "" {
				continue
			}
			cur := sseEvent{id: f.ID, hasID: f.HasID, typ: f.Event}
			if err := json.Unmarshal([]byte(f.Data), &cur.ev); err != nil {
				panic(fmt.Sprintf("bad event data %q", f.Data))
			}
			ch <- cur
		}
	}()
	return ch
}

// nextDurable returns the next event that is not progress or state.
func nextDurable(t *testing.T, ch <-chan sseEvent) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatal("event stream ended")
			}
			if e.ev.Type == model.EventProgress || e.ev.Type == model.EventState {
				if e.hasID {
					t.Fatalf("a %s event carries an id: %+v", e.ev.Type, e)
				}
				continue
			}
			if !e.hasID || e.typ != string(e.ev.Type) {
				t.Fatalf("durable event without id or with a wrong event line: %+v", e)
			}
			return e
		case <-timeout:
			t.Fatal("timed out waiting for a durable event")
		}
	}
}

func (a *apiServer) fetchOK(t *testing.T, id string, urls ...string) model.Registration {
	t.Helper()
	status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": id, "requests": urls})
	if status != 201 {
		t.Fatalf("fetch %s: %d %s", id, status, b)
	}
	return decode[model.Registration](t, b)
}

// TestEventsOrderAndReconnect: live durable events arrive in order with
// ids; reconnecting with Last-Event-ID replays exactly what came after.
func TestEventsOrderAndReconnect(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	files := testserver.New(t)
	live := a.openSSE(t, "", "")

	var uids []string
	for i := range 4 {
		reg := a.fetchOK(t, fmt.Sprintf("f%d", i), files.URL+"/file/"+strconv.Itoa(i))
		enginetest.Settled(t, a.manager, reg.UID) // settle one by one: a known order
		uids = append(uids, reg.UID)
	}
	var ids []string
	for i, uid := range uids {
		e := nextDurable(t, live)
		if e.ev.Registration.UID != uid || e.ev.Type != model.EventSuccess || e.ev.EventID == "" {
			t.Fatalf("live event %d: %+v, want success of %s", i, e, uid)
		}
		if len(ids) > 0 {
			prev, _ := strconv.Atoi(ids[len(ids)-1])
			if cur, _ := strconv.Atoi(e.id); cur <= prev {
				t.Fatalf("ids not increasing: %s after %s", e.id, ids[len(ids)-1])
			}
		}
		ids = append(ids, e.id)
	}

	// Reconnect after the second: the third and fourth come again, in order.
	replay := a.openSSE(t, "", ids[1])
	for _, want := range uids[2:] {
		if e := nextDurable(t, replay); e.ev.Registration.UID != want {
			t.Fatalf("replayed %s, want %s", e.ev.Registration.UID, want)
		}
	}
	// The uid filter narrows the replay.
	one := a.openSSE(t, "?uid="+uids[3], "0")
	if e := nextDurable(t, one); e.ev.Registration.UID != uids[3] {
		t.Fatalf("filtered replay gave %s", e.ev.Registration.UID)
	}
	// Another app sees none of these.
	other := a.openSSE(t, "", "0", model.AppHeader, "com.example.other")
	reg := a.fetchOK(t, "after", files.URL+"/file/after")
	enginetest.Settled(t, a.manager, reg.UID)
	a.call(t, "POST", "/v1/registrations/"+reg.UID+"/click", nil)
	if e := nextDurable(t, live); e.ev.Registration.UID != reg.UID {
		t.Fatalf("live stream continued with %s", e.ev.Registration.UID)
	}
	// The other app's first durable event is its own, not any of the above.
	status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": "theirs", "requests": files.URL + "/file/x"}, model.AppHeader, "com.example.other")
	if status != 201 {
		t.Fatalf("%d %s", status, b)
	}
	theirs := decode[model.Registration](t, b)
	if e := nextDurable(t, other); e.ev.Registration.UID != theirs.UID || e.ev.Registration.App != "com.example.other" {
		t.Fatalf("another app's stream got %+v", e.ev.Registration)
	}
	if status, b := a.call(t, "GET", "/v1/events?uid=r_nope", nil); status != 404 {
		t.Fatalf("unknown uid filter: %d %s", status, b)
	}
	if status, b := a.call(t, "GET", "/v1/events", nil, "Last-Event-ID", "abc"); status != 400 {
		t.Fatalf("bad Last-Event-ID: %d %s", status, b)
	}
}

// A stream of one registration gets its durable events at once, not
// after the batching wait that follows a write (streamBatch): `fetch
// --wait` learnt of a settled fetch up to 250 ms late. The server here
// batches for an hour, so a batched event would miss nextDurable's 10 s
// by far, however slow the machine; a clock bound of a fraction of 250 ms
// did not tell the two apart as surely.
func TestSettlingEventNotBatched(t *testing.T) {
	t.Parallel()
	a := newAPIServerWith(t, func(s *Server) { s.hub.batch = time.Hour })
	files := testserver.New(t)
	reg := a.fetchOK(t, "held", files.URL+"/hold/x?size=4194304")
	stream := a.openSSE(t, "?uid="+reg.UID, "")
	// A first frame: the stream has just written, so a batched event
	// would now wait the hour.
	a.call(t, "POST", "/v1/registrations/"+reg.UID+"/pause", nil)
	select {
	case <-stream:
	case <-time.After(10 * time.Second):
		t.Fatal("no frame after pause")
	}
	start := time.Now()
	a.call(t, "POST", "/v1/registrations/"+reg.UID+"/abort", nil)
	e := nextDurable(t, stream)
	t.Logf("abort event after %s", time.Since(start))
	if e.ev.Type != model.EventAbort {
		t.Fatalf("the first durable event is %s, want %s", e.ev.Type, model.EventAbort)
	}
}
