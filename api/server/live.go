package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// Live handlers (api.md "Live handlers"): GET /v1/events?handle=true makes
// the connection a handler of its app for as long as it stays open. It is
// sent every success, fail, abort and click event of the app's fetches
// that have neither their own nor the app's command or webhook handler and
// that is not handled yet, oldest first, one at a time per registration:
// the next after POST /v1/events/{eventId}/handled. Until then an event
// stays in the outbox and goes to the next live handler that connects.

// liveHandlers wakes the live-handler streams when an event was handled,
// so that each sends the next event of that registration, and computes
// the events that wait for an app's live handlers once for all of its
// streams (each used to read the outbox for every event).
type liveHandlers struct {
	mu      sync.Mutex
	wake    chan struct{} // closed (and replaced) when an event was handled
	handled uint64        // events handled so far
	apps    map[string]*appHeads
}

// appHeads caches liveHeads of one app.
type appHeads struct {
	mu      sync.Mutex
	valid   bool
	seen    uint64 // the highest outbox seq the last read saw
	handled uint64 // liveHandlers.handled at that read
	floor   uint64
	heads   []model.Event
}

func newLiveHandlers() *liveHandlers {
	return &liveHandlers{wake: make(chan struct{}), apps: map[string]*appHeads{}}
}

func (l *liveHandlers) changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.wake
}

func (l *liveHandlers) notify() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.handled++
	close(l.wake)
	l.wake = make(chan struct{})
}

func (l *liveHandlers) app(app string) (*appHeads, uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.apps[app]
	if a == nil {
		a = &appHeads{}
		l.apps[app] = a
	}
	return a, l.handled
}

// serveLiveHandler streams the app's progress events and the events that
// wait for a live handler.
func (s *Server) serveLiveHandler(r *http.Request, stream *eventStream, st *hubStream) {
	fmt.Fprint(stream.w, "retry: 1000\n\n")
	sent := map[string]uint64{} // registration → the event sent and not yet handled
	sendHeads := func() error {
		heads, err := s.cachedLiveHeads(stream.app)
		if err != nil {
			return err
		}
		for _, ev := range heads {
			if sent[ev.Registration.UID] == ev.Seq {
				continue
			}
			sent[ev.Registration.UID] = ev.Seq
			if err := stream.write(ev, true); err != nil {
				return err
			}
		}
		return nil
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	// changed is taken before each read of the outbox: a `handled` after
	// the read closes it, so its wake-up is never lost (the client answers
	// as soon as an event is flushed, often before the select below).
	changed := s.live.changed()
	err := sendHeads()
	for err == nil {
		stream.flush()
		select {
		case <-r.Context().Done():
			return
		case <-s.hub.changed(st):
			if !s.hub.gather(r.Context(), stream.lastWrite) {
				return
			}
			entries, durable := s.hub.take(st)
			for _, it := range entries {
				if !st.wants(it) {
					continue
				}
				if it.seq > 0 {
					durable = true
				} else if err = stream.add(it.frame); err != nil {
					break
				}
			}
			if err == nil {
				err = stream.writeBatch()
			}
			if err == nil && durable {
				changed = s.live.changed()
				err = sendHeads()
			}
		case <-changed:
			changed = s.live.changed()
			err = sendHeads()
		case <-tick.C:
			err = stream.ping()
		}
	}
	s.logger.Debug("live handler stream ended", "app", stream.app, "err", err)
}

// cachedLiveHeads is liveHeads of app, read again only when the outbox
// has a newer entry or an event was handled since the last read.
func (s *Server) cachedLiveHeads(app string) ([]model.Event, error) {
	a, handled := s.live.app(app)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.valid && a.handled == handled && a.seen >= s.engine.Outbox().Last() {
		return a.heads, nil
	}
	heads, floor, seen, err := s.liveHeads(app, a.floor)
	if err != nil {
		return nil, err
	}
	a.valid, a.handled, a.seen, a.floor, a.heads = true, handled, max(seen, floor), floor, heads
	return heads, nil
}

// liveHeads reads the outbox after floor and returns, in outbox order,
// each registration's oldest unhandled event of app that no command or
// webhook handler takes, the new floor and the highest seq it saw.
func (s *Server) liveHeads(app string, floor uint64) ([]model.Event, uint64, uint64, error) {
	var heads []model.Event
	seen := map[string]bool{}
	newFloor, blocked, highest := floor, false, floor
	handlers := s.engine.Handlers()
	var lookupErr error
	err := s.engine.Outbox().After(floor, func(ev model.Event, handled bool) bool {
		highest = ev.Seq
		if handled {
			if !blocked {
				newFloor = ev.Seq
			}
			return true
		}
		blocked = true
		uid := ev.Registration.UID
		if ev.Registration.App != app || seen[uid] {
			return true
		}
		seen[uid] = true
		spec, err := handlers.For(ev.Registration)
		if err != nil {
			lookupErr = err
			return false
		}
		if spec == nil {
			heads = append(heads, ev)
		}
		return true
	})
	if err == nil {
		err = lookupErr
	}
	slices.SortFunc(heads, func(a, b model.Event) int { return int(a.Seq - b.Seq) })
	return heads, newFloor, highest, err
}

// maxHandledBody caps the body of POST /v1/events/{eventId}/handled.
const maxHandledBody = 64 << 10

// handled is POST /v1/events/{eventId}/handled: a live handler has handled
// the event, optionally with updateUI (spec C.21). Then the records of a
// settled fetch are released, the event marked handled, and the next one
// of its registration goes out.
func (s *Server) handled(w http.ResponseWriter, r *http.Request) {
	ev, answer, err := s.handledRequest(w, r)
	if err == nil {
		err = s.finishHandled(ev, answer)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.live.notify()
	writeJSON(w, http.StatusOK, map[string]bool{"handled": true})
}

// handledRequest finds the event of POST …/handled and decodes the answer.
func (s *Server) handledRequest(w http.ResponseWriter, r *http.Request) (model.Event, model.HandlerAnswer, error) {
	var answer model.HandlerAnswer
	seq, err := strconv.ParseUint(r.PathValue("eventId"), 10, 64)
	if err != nil || seq == 0 {
		return model.Event{}, answer, model.NotFoundf("no event %q: event ids are numbers from 1", r.PathValue("eventId"))
	}
	ev, handled, err := s.engine.Outbox().Event(seq)
	if err != nil {
		return ev, answer, err
	}
	if ev.Registration.App != appOf(r) || handled {
		return ev, answer, model.NotFoundf("event %d is not waiting for a handler of app %s", seq, appOf(r))
	}
	if spec, err := s.engine.Handlers().For(ev.Registration); err != nil || spec != nil {
		if err == nil {
			err = model.InvalidStatef("event %d goes to its fetch's or app's command or webhook handler, not to a live handler", seq)
		}
		return ev, answer, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHandledBody))
	if err != nil {
		return ev, answer, err
	}
	if len(body) > 0 {
		if err := model.DecodeStrict(bytes.NewReader(body), &answer); err != nil {
			return ev, answer, err
		}
	}
	if answer.UpdateUI != nil && ev.Type != model.EventSuccess && ev.Type != model.EventFail {
		return ev, answer, model.InvalidStatef("updateUI is only allowed for success and fail events, not %s", ev.Type)
	}
	return ev, answer, nil
}

// finishHandled applies updateUI, releases the records of a settled
// fetch, then marks the event handled; a crash in between only repeats
// the delivery, and an updateUI applied by an earlier delivery is not an
// error.
func (s *Server) finishHandled(ev model.Event, answer model.HandlerAnswer) error {
	uid := ev.Registration.UID
	if u := answer.UpdateUI; u != nil {
		err := s.engine.UpdateUI(uid, ev.Type, *u)
		if err != nil && model.NameOf(err) != model.InvalidStateError && model.NameOf(err) != model.NotFoundError {
			return err
		}
	}
	if ev.Type.Settles() {
		if err := s.engine.Release(uid); err != nil && model.NameOf(err) != model.NotFoundError {
			return err
		}
	}
	return s.engine.Outbox().MarkHandled(ev.Seq)
}
