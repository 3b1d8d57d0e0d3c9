package downloads

import (
	"sync"
	"sync/atomic"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// bus is the one event bus. Every subscriber gets every durable event
// (success, fail, abort, click) in order; progress events for a
// registration that the subscriber has not read yet are coalesced into the
// newest one, so a slow subscriber never blocks the engine and never loses
// a durable event.
type bus struct {
	mu   sync.Mutex
	subs map[*Subscription]struct{}
	sent atomic.Uint64 // events published so far (Manager.Activity)
}

// Subscription receives events on C until Close.
type Subscription struct {
	C <-chan model.Event

	uid  string
	bus  *bus
	out  chan model.Event
	mu   sync.Mutex
	q    []model.Event
	wake chan struct{}
	done chan struct{}
	once sync.Once
}

func (b *bus) subscribe(uid string) *Subscription {
	s := &Subscription{uid: uid, bus: b, out: make(chan model.Event), wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.C = s.out
	b.mu.Lock()
	if b.subs == nil {
		b.subs = make(map[*Subscription]struct{})
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	go s.pump()
	return s
}

// Close ends the subscription; C is closed soon after.
func (s *Subscription) Close() {
	s.once.Do(func() {
		s.bus.mu.Lock()
		delete(s.bus.subs, s)
		s.bus.mu.Unlock()
		close(s.done)
	})
}

func (b *bus) publish(ev model.Event) {
	b.sent.Add(1)
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		if s.uid == "" || s.uid == ev.Registration.UID {
			s.enqueue(ev)
		}
	}
}

func (s *Subscription) enqueue(ev model.Event) {
	s.mu.Lock()
	if ev.Type == model.EventProgress || ev.Type == model.EventState {
		for i := len(s.q) - 1; i >= 0; i-- {
			q := s.q[i]
			if q.Registration.UID != ev.Registration.UID {
				continue
			}
			if q.Type == ev.Type {
				s.q[i] = ev // coalesce: only the newest matters
				s.mu.Unlock()
				return
			}
			if q.Type != model.EventProgress && q.Type != model.EventState {
				break // never reorder across a durable event
			}
		}
	}
	s.q = append(s.q, ev)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Subscription) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.q) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		ev := s.q[0]
		s.q[0] = model.Event{}
		s.q = s.q[1:]
		s.mu.Unlock()
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}
