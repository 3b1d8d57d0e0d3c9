package server

import (
	"log/slog"
	"sync"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// Event streams in O(events): the hub is the one subscriber of the
// engine's bus for every stream of the API. It encodes each progress
// event once and hands the same bytes to every stream that wants it; a
// durable event only tells the streams how far to read, and they read it
// from the feed (feed.go), which reads each durable event from the outbox
// once for all of them. Before, each of 500 streams re-read the outbox and
// re-encoded every event (1,000 registrations and aborts: 29 s instead of
// 1.3 s, 17 times the CPU; issue 14).

// maxStreamItems bounds what waits for a stream that does not read: past
// it, its progress frames are dropped (they are never replayed anyway)
// and its durable events are read again from the feed or the outbox.
const maxStreamItems = 4096

// hub routes the bus's events to the streams.
type hub struct {
	engine  Engine
	logger  *slog.Logger
	feed    *feed
	mu      sync.Mutex
	streams map[*hubStream]struct{}
	sub     *downloads.Subscription // while there are streams
}

func newHub(e Engine, logger *slog.Logger) *hub {
	return &hub{engine: e, logger: logger, streams: map[*hubStream]struct{}{}}
}

// hubStream is what one stream is owed, in bus order.
type hubStream struct {
	app, uid string
	live     bool // a live handler's: progress events only, no "state"
	mu       sync.Mutex
	items    []streamItem
	wake     chan struct{}
}

// streamItem is a progress frame to write, or (seq > 0) the word that the
// durable events up to seq are due.
type streamItem struct {
	seq   uint64
	uid   string
	typ   model.EventType
	frame []byte
}

// join registers a stream of app (uid narrows it, live makes it a live
// handler's). Events published from now on reach it.
func (h *hub) join(app, uid string, live bool) *hubStream {
	st := &hubStream{app: app, uid: uid, live: live, wake: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sub == nil {
		if h.feed == nil {
			h.feed = newFeed(h.engine.Outbox())
		}
		h.sub = h.engine.Subscribe("")
		go h.route(h.sub)
	}
	h.streams[st] = struct{}{}
	return st
}

// leave unregisters st; the last stream to leave ends the subscription.
func (h *hub) leave(st *hubStream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.streams, st)
	if len(h.streams) == 0 && h.sub != nil {
		h.sub.Close()
		h.sub = nil
	}
}

// route hands each event of sub to the streams that want it.
func (h *hub) route(sub *downloads.Subscription) {
	for ev := range sub.C {
		var frame []byte
		h.mu.Lock()
		for st := range h.streams {
			if !st.wants(ev) {
				continue
			}
			if ev.Seq > 0 {
				st.due(ev.Seq)
				continue
			}
			if frame == nil {
				var err error
				if frame, err = encodeFrame(ev, false); err != nil {
					h.logger.Warn("encode an event", "type", ev.Type, "err", err)
					break
				}
			}
			st.push(ev, frame)
		}
		h.mu.Unlock()
	}
}

func (st *hubStream) wants(ev model.Event) bool {
	if ev.Registration.App != st.app || (st.uid != "" && ev.Registration.UID != st.uid) {
		return false
	}
	return !st.live || ev.Seq > 0 || ev.Type == model.EventProgress
}

// push queues a progress (or state) frame, replacing one of the same
// registration and type queued since the last durable event.
func (st *hubStream) push(ev model.Event, frame []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	defer st.signal()
	for i := len(st.items) - 1; i >= 0; i-- {
		it := &st.items[i]
		if it.seq > 0 {
			break
		}
		if it.uid == ev.Registration.UID && it.typ == ev.Type {
			it.frame = frame
			return
		}
	}
	if len(st.items) >= maxStreamItems {
		st.collapse()
	}
	st.items = append(st.items, streamItem{uid: ev.Registration.UID, typ: ev.Type, frame: frame})
}

// due notes that durable events up to seq are to be sent.
func (st *hubStream) due(seq uint64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	defer st.signal()
	if n := len(st.items); n > 0 && st.items[n-1].seq > 0 {
		st.items[n-1].seq = max(st.items[n-1].seq, seq)
		return
	}
	if len(st.items) >= maxStreamItems {
		st.collapse()
	}
	st.items = append(st.items, streamItem{seq: seq})
}

// collapse keeps only the furthest durable word. st.mu held.
func (st *hubStream) collapse() {
	var seq uint64
	for _, it := range st.items {
		seq = max(seq, it.seq)
	}
	st.items = st.items[:0]
	if seq > 0 {
		st.items = append(st.items, streamItem{seq: seq})
	}
}

func (st *hubStream) signal() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// take returns what is queued and empties the queue.
func (st *hubStream) take() []streamItem {
	st.mu.Lock()
	defer st.mu.Unlock()
	items := st.items
	st.items = nil
	return items
}
