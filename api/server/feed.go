package server

import (
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// feedKeep is how many of the newest durable events the feed keeps; a
// stream further behind reads the outbox itself.
const feedKeep = 1024

// feed reads the outbox's new durable events once for every stream and
// keeps the newest, each with its SSE frame encoded once.
type feed struct {
	outbox *downloads.Outbox
	readMu sync.Mutex // one outbox read at a time

	mu     sync.Mutex
	events []sharedEvent // seq ascending: every outbox entry in (floor, last]
	floor  uint64
	last   uint64 // the highest seq read
}

type sharedEvent struct {
	ev    model.Event
	frame []byte
}

func newFeed(o *downloads.Outbox) *feed {
	last := o.Last()
	return &feed{outbox: o, floor: last, last: last}
}

// after returns the durable events after seq in order and the highest seq
// looked at; ok is false when seq is older than what the feed keeps.
func (f *feed) after(seq uint64) (evs []sharedEvent, last uint64, ok bool, err error) {
	if err := f.refresh(); err != nil {
		return nil, 0, false, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if seq < f.floor {
		return nil, 0, false, nil
	}
	i := sort.Search(len(f.events), func(i int) bool { return f.events[i].ev.Seq > seq })
	return f.events[i:len(f.events):len(f.events)], max(f.last, seq), true, nil
}

// refresh reads what the outbox holds after the feed's last entry, unless
// another stream is doing it or has done it.
func (f *feed) refresh() error {
	target := f.outbox.Last()
	f.mu.Lock()
	cur := f.last
	f.mu.Unlock()
	if cur >= target {
		return nil
	}
	f.readMu.Lock()
	defer f.readMu.Unlock()
	f.mu.Lock()
	cur = f.last
	f.mu.Unlock()
	if cur >= target {
		return nil
	}
	var fresh []sharedEvent
	var encErr error
	err := f.outbox.After(cur, func(ev model.Event, _ bool) bool {
		frame, err := encodeFrame(ev, true)
		if err != nil {
			encErr = err
			return false
		}
		fresh = append(fresh, sharedEvent{ev: ev, frame: frame})
		return true
	})
	if err == nil {
		err = encErr
	}
	if err != nil || len(fresh) == 0 {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, fresh...)
	f.last = fresh[len(fresh)-1].ev.Seq
	if len(f.events) > 2*feedKeep {
		drop := len(f.events) - feedKeep
		f.floor = f.events[drop-1].ev.Seq
		f.events = append([]sharedEvent(nil), f.events[drop:]...)
	}
	return nil
}

// encodeFrame is ev as one SSE event, with its id when durable.
func encodeFrame(ev model.Event, durable bool) ([]byte, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	var b []byte
	if durable {
		b = fmt.Appendf(b, "id: %d\n", ev.Seq)
	}
	b = fmt.Appendf(b, "event: %s\ndata: ", ev.Type)
	b = append(b, data...)
	return append(b, '\n', '\n'), nil
}
