package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
)

// heartbeat is how often an idle event stream sends a comment line, so
// that dead connections are noticed and proxies keep it open.
const heartbeat = 15 * time.Second

// events is GET /v1/events: Server-Sent Events of the request's app
// (query uid= narrows to one registration). Durable events carry the
// outbox sequence number as their id; a client that reconnects with
// Last-Event-ID (or ?lastEventId=) gets every durable event after it still
// in the outbox, then live ones. Progress events have no id; nor has
// bgfetch's own "state" event (paused, waiting-network) that UIs use.
//
// The bus only wakes the stream: durable events are always read from the
// outbox, so a slow subscriber never loses one.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	app := appOf(r)
	uid := r.URL.Query().Get("uid")
	if uid != "" {
		if _, err := s.registrationOfApp(r, uid); err != nil {
			writeError(w, err)
			return
		}
	}
	after, err := lastEventID(r)
	if err != nil {
		writeError(w, err)
		return
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		writeErrorBody(w, http.StatusInternalServerError, UnknownError, "streaming is not supported by this connection")
		return
	}
	sub := s.manager.Subscribe(uid) // before reading the outbox: nothing falls in between
	defer sub.Close()
	if after < 0 {
		after = int64(s.manager.LastEventSeq())
	}
	stream := &eventStream{w: w, flusher: flusher, app: app, uid: uid, sent: uint64(after)}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// The stream starts by naming where it stands, so that a client that
	// reconnects before any durable event still resumes from here.
	fmt.Fprintf(w, "retry: 1000\nid: %d\n\n", stream.sent)
	if err := stream.replay(s.manager); err != nil {
		return
	}
	flusher.Flush()

	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-sub.C:
			if !ok {
				return
			}
			if ev.Seq == 0 { // progress (and bgfetch's "state"): live only
				err = stream.write(ev, false)
			} else if ev.Seq > stream.sent {
				err = stream.replay(s.manager)
			}
		case <-tick.C:
			_, err = fmt.Fprint(w, ": ping\n\n")
		}
		if err != nil {
			return
		}
		flusher.Flush()
	}
}

// lastEventID reads Last-Event-ID (header) or lastEventId (query); -1
// when neither is given, meaning "live events only".
func lastEventID(r *http.Request) (int64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("lastEventId")
	}
	if v == "" {
		return -1, nil
	}
	n, err := strconv.ParseUint(v, 10, 63)
	if err != nil {
		return 0, typeError("Last-Event-ID must be an event id from this stream (a number)")
	}
	return int64(n), nil
}

// eventStream writes one client's events in the SSE format.
type eventStream struct {
	w       http.ResponseWriter
	flusher http.Flusher
	app     string
	uid     string
	sent    uint64 // highest outbox seq looked at
}

func (es *eventStream) wants(ev downloads.Event) bool {
	return ev.Registration.App == es.app && (es.uid == "" || ev.Registration.UID == es.uid)
}

// replay writes the durable events after es.sent, in outbox order.
func (es *eventStream) replay(m *downloads.Manager) error {
	var batch []downloads.Event
	last := es.sent
	err := m.EventsAfter(es.sent, func(ev downloads.Event, _ bool) bool {
		last = ev.Seq
		if es.wants(ev) {
			batch = append(batch, ev)
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, ev := range batch {
		if err := es.write(ev, true); err != nil {
			return err
		}
	}
	es.sent = last
	return nil
}

func (es *eventStream) write(ev downloads.Event, durable bool) error {
	if !es.wants(ev) {
		return nil
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if durable {
		if _, err := fmt.Fprintf(es.w, "id: %d\n", ev.Seq); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(es.w, "event: %s\ndata: %s\n\n", ev.Type, data)
	return err
}
