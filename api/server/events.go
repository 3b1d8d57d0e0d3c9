package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
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
// With handle=true the connection is the app's live handler instead
// (live.go).
//
// The hub (hub.go) wakes the stream and hands it progress frames encoded
// once for all streams; durable events are always read from the outbox,
// through the feed that reads each once for all streams, so a slow
// subscriber never loses one.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	handle, err := boolParam(q.Get("handle"), "handle")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	uid := q.Get("uid")
	if uid != "" {
		if handle {
			s.writeError(w, r, model.TypeErrorf("a live handler takes every event of its app: handle=true cannot go with uid"))
			return
		}
		if _, err := s.registrationOfApp(r, uid); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	after, err := lastEventID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st := s.hub.join(appOf(r), uid, handle) // before reading the outbox: nothing falls in between
	defer s.hub.leave(st)
	stream, ok := startStream(w, appOf(r), uid)
	if !ok {
		s.writeError(w, r, fmt.Errorf("streaming is not supported by this connection"))
		return
	}
	if handle {
		s.serveLiveHandler(r, stream, st)
		return
	}
	if after < 0 {
		after = int64(s.engine.Outbox().Last())
	}
	stream.sent = uint64(after)
	// The stream starts by naming where it stands, so that a client that
	// reconnects before any durable event still resumes from here.
	fmt.Fprintf(w, "retry: 1000\nid: %d\n\n", stream.sent)
	if err := stream.replay(s.engine.Outbox()); err != nil {
		return
	}
	stream.flush()
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case <-s.hub.changed(st):
			if !s.hub.gatherFor(r.Context(), st, stream.lastWrite) {
				return
			}
			entries, lost := s.hub.take(st)
			err = stream.send(st, entries, lost, s.hub.feed, s.engine.Outbox())
		case <-tick.C:
			err = stream.ping()
		}
		if err != nil {
			return
		}
		stream.flush()
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
		return 0, model.TypeErrorf("Last-Event-ID must be an event id from this stream (a number)")
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
	batch   []byte // frames to write at once (add, writeBatch)
	// lastWrite is when the stream last wrote a batch (gather).
	lastWrite time.Time
}

// startStream answers 200 text/event-stream; false when w cannot stream.
func startStream(w http.ResponseWriter, app, uid string) (*eventStream, bool) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		return nil, false
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return &eventStream{w: w, flusher: flusher, app: app, uid: uid}, true
}

func (es *eventStream) wants(ev model.Event) bool {
	return ev.Registration.App == es.app && (es.uid == "" || ev.Registration.UID == es.uid)
}

// send writes the hub's log entries that st wants, in order: progress
// frames as they are, durable events from the feed (from the outbox when
// the stream is further behind than the feed keeps); lost says entries
// were dropped before the stream read them, so durable ones are looked
// for in any case. The frames go out in writes of up to maxBatch (one
// chunk, one system call each) rather than one each.
func (es *eventStream) send(st *hubStream, entries []logEntry, lost bool, f *feed, o *downloads.Outbox) error {
	es.batch = es.batch[:0]
	const lostSeq = ^uint64(0) // no outbox entry has it
	if lost {
		entries = append(entries, logEntry{seq: lostSeq}) // entries is take's view: append copies it
	}
	for _, it := range entries {
		if it.seq != lostSeq && !st.wants(it) {
			continue
		}
		if it.seq == 0 {
			if err := es.add(it.frame); err != nil {
				return err
			}
			continue
		}
		if it.seq <= es.sent {
			continue
		}
		evs, last, ok, err := f.after(es.sent)
		if err != nil {
			return err
		}
		if !ok {
			if err := es.writeBatch(); err != nil {
				return err
			}
			if err := es.replay(o); err != nil {
				return err
			}
			continue
		}
		for _, se := range evs {
			if !es.wants(se.ev) {
				continue
			}
			if err := es.add(se.frame); err != nil {
				return err
			}
		}
		es.sent = last
	}
	return es.writeBatch()
}

// maxBatch is how many bytes of frames a stream gathers before it writes
// them, within one send. A batch of 250 ms can hold megabytes (1,000
// registrations aborted at once); growing one buffer to hold them all,
// again for each of 500 streams and each batch, cost a fifth of the
// daemon's CPU in copies (bench/abuse, sse-fanout). 64 KiB is still one
// system call for what a quiet app's batch holds.
const maxBatch = 64 << 10

// add puts frame in the batch, writing the batch first when it is full.
func (es *eventStream) add(frame []byte) error {
	if len(es.batch) > 0 && len(es.batch)+len(frame) > maxBatch {
		if err := es.writeBatch(); err != nil {
			return err
		}
	}
	es.batch = append(es.batch, frame...)
	return nil
}

// writeBatch writes the frames gathered in es.batch.
func (es *eventStream) writeBatch() error {
	if len(es.batch) == 0 {
		return nil
	}
	_, err := es.w.Write(es.batch)
	es.batch = es.batch[:0]
	es.lastWrite = time.Now()
	if cap(es.batch) > 2*maxBatch {
		es.batch = nil // a single large frame grew it: do not keep that per stream
	}
	return err
}

// replay writes the durable events after es.sent, in outbox order.
func (es *eventStream) replay(o *downloads.Outbox) error {
	var batch []model.Event
	last := es.sent
	err := o.After(es.sent, func(ev model.Event, _ bool) bool {
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

// write sends ev if the stream wants it, with its id when durable.
func (es *eventStream) write(ev model.Event, durable bool) error {
	if !es.wants(ev) {
		return nil
	}
	frame, err := encodeFrame(ev, durable)
	if err != nil {
		return err
	}
	_, err = es.w.Write(frame)
	return err
}

func (es *eventStream) ping() error {
	_, err := fmt.Fprint(es.w, ": ping\n\n")
	return err
}

func (es *eventStream) flush() { es.flusher.Flush() }
