package server

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// Event streams in O(events): the hub is the one subscriber of the
// engine's bus for every stream of the API. It appends each event once to
// a shared log (a progress event encoded once, a durable one as its outbox
// seq) and wakes every stream with one broadcast; each stream reads the
// log from its own cursor, and durable events from the feed (feed.go),
// which reads each from the outbox once for all of them. Before, each of
// 500 streams re-read the outbox and re-encoded every event (1,000
// registrations and aborts: 29 s instead of 1.3 s, 17 times the CPU;
// issue 14).

// hubLogSize is how many of the newest events the log keeps. A stream
// further behind loses the progress events in between (they are never
// replayed anyway) and reads the durable ones from the feed or the outbox.
const hubLogSize = 4096

// streamBatch is the least time between two writes of a stream: an event
// after a quiet spell goes out at once, those that follow within
// streamBatch wait and go out together, in one write and flush instead of
// a system call per event and stream (500 streams flushing every event
// cost 3 times the CPU of one stream).
const streamBatch = 250 * time.Millisecond

// hub routes the bus's events to the streams.
type hub struct {
	engine Engine
	logger *slog.Logger
	feed   *feed
	batch  time.Duration // streamBatch; a test makes it long, so that a batched event shows

	mu      sync.Mutex
	streams int
	sub     *downloads.Subscription // while there are streams
	log     []logEntry              // the newest events; log[0] is at position first
	first   uint64
	wake    chan struct{} // closed (and replaced) when the log grows
}

// logEntry is one bus event: a progress (or state) frame, or the seq of a
// durable event.
type logEntry struct {
	app, uid string
	typ      model.EventType
	seq      uint64
	frame    []byte
}

func newHub(e Engine, logger *slog.Logger) *hub {
	return &hub{engine: e, logger: logger, batch: streamBatch, wake: make(chan struct{})}
}

// hubStream is one stream's place in the hub's log.
type hubStream struct {
	app, uid string
	live     bool   // a live handler's: progress events only, no "state"
	cursor   uint64 // the position of the next log entry to read
}

// join registers a stream of app (uid narrows it, live makes it a live
// handler's). Events published from now on reach it.
func (h *hub) join(app, uid string, live bool) *hubStream {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sub == nil {
		if h.feed == nil {
			h.feed = newFeed(h.engine.Outbox())
		}
		h.sub = h.engine.Subscribe("")
		go h.route(h.sub)
	}
	h.streams++
	return &hubStream{app: app, uid: uid, live: live, cursor: h.first + uint64(len(h.log))}
}

// leave unregisters a stream; the last one to leave ends the subscription.
func (h *hub) leave(*hubStream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.streams--
	if h.streams == 0 && h.sub != nil {
		h.sub.Close()
		h.sub = nil
	}
}

// route appends each event of sub to the log and wakes the streams.
func (h *hub) route(sub *downloads.Subscription) {
	for ev := range sub.C {
		e := logEntry{app: ev.Registration.App, uid: ev.Registration.UID, typ: ev.Type, seq: ev.Seq}
		if ev.Seq == 0 {
			var err error
			if e.frame, err = encodeFrame(ev, false); err != nil {
				h.logger.Warn("encode an event", "type", ev.Type, "err", err)
				continue
			}
		}
		h.mu.Lock()
		h.log = append(h.log, e)
		if len(h.log) > 2*hubLogSize {
			drop := len(h.log) - hubLogSize
			h.first += uint64(drop)
			h.log = append([]logEntry(nil), h.log[drop:]...)
		}
		close(h.wake)
		h.wake = make(chan struct{})
		h.mu.Unlock()
	}
}

// changed is closed when the log has grown past st's cursor.
func (h *hub) changed(st *hubStream) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st.cursor < h.first+uint64(len(h.log)) {
		closed := make(chan struct{})
		close(closed)
		return closed
	}
	return h.wake
}

// take returns the log entries since st's cursor, and moves the cursor to
// the end. The entries are the log's own, not a copy (500 streams each
// copying a batch of 1,000 cost a twentieth of the daemon's CPU): read
// them, do not change them, and skip those st does not want. route only
// appends past them or starts a new array, so they stay as they are.
// lost is true when entries st had not read were dropped meanwhile.
func (h *hub) take(st *hubStream) (entries []logEntry, lost bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st.cursor < h.first {
		st.cursor, lost = h.first, true
	}
	entries = h.log[st.cursor-h.first : len(h.log) : len(h.log)]
	st.cursor = h.first + uint64(len(h.log))
	return entries, lost
}

// gatherFor is gather for st. A stream of one registration stops waiting
// as soon as a durable event of it is in the log: that goes out at once (a
// client waiting for the fetch to settle, such as `fetch --wait`, learnt
// it up to 250 ms late). At most a few such events come per registration,
// so the batching that keeps many app-wide streams cheap is not lost.
func (h *hub) gatherFor(ctx context.Context, st *hubStream, lastWrite time.Time) bool {
	if st.uid == "" {
		return h.gather(ctx, lastWrite)
	}
	for {
		settles, grew := h.settles(st)
		wait := h.batch - time.Since(lastWrite)
		if settles || wait <= 0 {
			return ctx.Err() == nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
			return true
		case <-grew:
			t.Stop()
		}
	}
}

// settles reports whether st has a durable event waiting in the log, and
// returns the channel closed when the log next grows.
func (h *hub) settles(st *hubStream) (bool, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.log[max(st.cursor, h.first)-h.first:] {
		if e.seq > 0 && st.wants(e) {
			return true, h.wake
		}
	}
	return false, h.wake
}

func (st *hubStream) wants(e logEntry) bool {
	if e.app != st.app || (st.uid != "" && e.uid != st.uid) {
		return false
	}
	return !st.live || e.seq > 0 || e.typ == model.EventProgress
}

// gather waits until h.batch after the stream's last write, so that
// more events join the first; false when ctx ended.
func (h *hub) gather(ctx context.Context, lastWrite time.Time) bool {
	wait := h.batch - time.Since(lastWrite)
	if wait <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
