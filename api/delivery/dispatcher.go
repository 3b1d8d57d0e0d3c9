package delivery

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/backoff"
)

// Engine is what delivery needs of the engine; *downloads.Manager has it.
type Engine interface {
	Subscribe(uid string) *downloads.Subscription
	Outbox() *downloads.Outbox
	Handlers() *downloads.Handlers
	Release(uid string) error
	UpdateUI(uid string, event model.EventType, u model.UpdateUI) error
	Settings() model.Settings
}

// Options tune handler delivery. Zero values take the defaults.
type Options struct {
	// Timeout bounds one delivery: a command is killed, a webhook
	// abandoned (60 s).
	Timeout time.Duration
	// RetryBase is the first retry delay; it doubles per failed attempt
	// up to RetryMax (1 s → 60 s).
	RetryBase time.Duration
	RetryMax  time.Duration
	// Concurrency caps simultaneous deliveries across registrations (8).
	Concurrency int
	// Poll is how often the outbox is read even without a bus wake-up (5 s).
	Poll time.Duration
	// KeepWaiting is how long an event with no handler at all waits for a
	// live handler before it is dropped and its records released (the
	// setting keepHistoryDays when zero).
	KeepWaiting time.Duration
	Logger      *slog.Logger
}

func (o *Options) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Timeout, 60*time.Second)
	def(&o.RetryBase, time.Second)
	def(&o.RetryMax, 60*time.Second)
	def(&o.Poll, 5*time.Second)
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Dispatcher delivers durable events from the engine's outbox to app
// handlers: at least once, in order per registration (the next event of a
// registration waits until the one before is handled), retried with capped
// exponential backoff, across restarts (the outbox is the queue).
//
// After a handler has handled a success, fail or abort event, the
// registration's records are released.
type Dispatcher struct {
	m       Engine
	opts    Options
	send    deliverer
	backoff backoff.Policy
}

// New makes a dispatcher for m; Run starts it.
func New(m Engine, opts Options) *Dispatcher {
	opts.setDefaults()
	return &Dispatcher{m: m, opts: opts, send: newDeliverer(opts.Timeout),
		backoff: backoff.Policy{Min: opts.RetryBase, Max: opts.RetryMax}}
}

// lane is the delivery state of one registration's head event.
type lane struct {
	seq      uint64
	attempts int
	next     time.Time
	busy     bool
}

type deliveryResult struct {
	uid string
	seq uint64
	err error
}

// run is the state of one Run.
type run struct {
	lanes    map[string]*lane
	results  chan deliveryResult
	inflight sync.WaitGroup
	busy     int
	floor    uint64    // every outbox entry up to floor is handled or a live handler's
	rescan   time.Time // when floor goes back to 0 (live events may expire)
}

// Run delivers until ctx ends, then waits for deliveries in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	sub := d.m.Subscribe("")
	defer sub.Close()
	st := &run{lanes: map[string]*lane{}, results: make(chan deliveryResult)}
	defer st.inflight.Wait()
	wake := sub.C // nil once closed: the poll still finds new events
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		timer.Reset(d.startDue(ctx, st))
		if !d.waitForWork(ctx, st, &wake, timer.C) {
			return
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// startDue starts the deliveries that are due and returns how long to
// wait before looking again.
func (d *Dispatcher) startDue(ctx context.Context, st *run) time.Duration {
	now := time.Now()
	if now.After(st.rescan) {
		st.floor, st.rescan = 0, now.Add(time.Hour)
	}
	keep := d.opts.KeepWaiting
	if keep == 0 {
		keep = time.Duration(d.m.Settings().KeepHistoryDays) * 24 * time.Hour
	}
	heads, floor, err := d.pendingHeads(st.floor, now, keep)
	if err != nil {
		d.opts.Logger.Error("read event outbox", "err", err)
	} else {
		st.floor = floor
	}
	for uid, l := range st.lanes {
		if _, pending := heads[uid]; !pending && !l.busy {
			delete(st.lanes, uid)
		}
	}
	wait := d.opts.Poll
	for uid, h := range heads {
		l := st.lanes[uid]
		if l == nil {
			l = &lane{}
			st.lanes[uid] = l
		}
		if l.seq != h.ev.Seq && !l.busy {
			*l = lane{seq: h.ev.Seq}
		}
		if until := l.next.Sub(now); until > 0 {
			wait = min(wait, until)
			continue
		}
		if l.busy || st.busy >= d.opts.Concurrency {
			continue
		}
		l.busy = true
		st.busy++
		st.inflight.Add(1)
		go func(h head) {
			defer st.inflight.Done()
			err := d.deliver(ctx, h)
			select {
			case st.results <- deliveryResult{uid: h.ev.Registration.UID, seq: h.ev.Seq, err: err}:
			case <-ctx.Done():
			}
		}(h)
	}
	return wait
}

// waitForWork waits for a new durable event, a finished delivery or the
// timer; false when ctx ended.
func (d *Dispatcher) waitForWork(ctx context.Context, st *run, wake *<-chan model.Event, timer <-chan time.Time) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case ev, ok := <-*wake:
			if !ok {
				*wake = nil
			} else if ev.Seq == 0 { // progress or state: nothing to deliver
				continue
			}
			return true
		case res := <-st.results:
			st.busy--
			if l := st.lanes[res.uid]; l != nil {
				l.busy = false
				if res.err != nil {
					l.attempts++
					l.next = time.Now().Add(d.backoff.Delay(l.attempts))
					d.opts.Logger.Warn("event handler failed; will retry", "uid", res.uid, "seq", res.seq,
						"attempt", l.attempts, "retryIn", d.backoff.Delay(l.attempts), "err", res.err)
				}
			}
			return true
		case <-timer:
			return true
		}
	}
}

// head is a registration's oldest unhandled event and its handler (nil:
// none left waiting too long, to be dropped).
type head struct {
	ev   model.Event
	spec *model.HandlerSpec
}

// pendingHeads reads the outbox after floor and returns, per registration,
// its oldest unhandled event that a command or webhook handler takes (or
// that waited for a live handler longer than KeepWaiting), and the new
// floor: the seq before the first unhandled entry that is not a live
// handler's.
func (d *Dispatcher) pendingHeads(floor uint64, now time.Time, keep time.Duration) (map[string]head, uint64, error) {
	heads := map[string]head{}
	seen := map[string]bool{}
	newFloor, blocked := floor, false
	var lookupErr error
	err := d.m.Outbox().After(floor, func(ev model.Event, handled bool) bool {
		uid := ev.Registration.UID
		if handled || seen[uid] {
			if handled && !blocked {
				newFloor = ev.Seq
			}
			return true
		}
		seen[uid] = true
		spec, err := d.m.Handlers().For(ev.Registration)
		if err != nil {
			lookupErr = err
			return false
		}
		switch {
		case spec != nil:
			heads[uid] = head{ev: ev, spec: spec}
			blocked = true
		case waitedTooLong(ev, now, keep):
			heads[uid] = head{ev: ev}
			blocked = true
		case !blocked:
			newFloor = ev.Seq // a live handler's: not ours to wait for
		}
		return true
	})
	if err == nil {
		err = lookupErr
	}
	return heads, newFloor, err
}

// waitedTooLong reports an event with no handler that settled (or was
// registered) longer than keep ago.
func waitedTooLong(ev model.Event, now time.Time, keep time.Duration) bool {
	since := ev.Registration.CreatedAt
	if ev.Registration.SettledAt != nil {
		since = *ev.Registration.SettledAt
	}
	return now.Sub(since) > keep
}

// deliver hands one event to its handler and records the outcome. The
// order matters for crash safety: updateUI, then release, then mark
// handled; a crash in between only repeats the delivery.
func (d *Dispatcher) deliver(ctx context.Context, h head) error {
	ev := h.ev
	uid := ev.Registration.UID
	log := d.opts.Logger.With("uid", uid, "seq", ev.Seq, "event", ev.Type)
	if h.spec != nil {
		answer, err := d.send.deliver(ctx, *h.spec, ev)
		if err != nil {
			return err
		}
		d.applyAnswer(log, ev, answer)
	} else {
		log.Info("no handler took the event in time; dropping it")
	}
	if ev.Type.Settles() {
		if err := d.m.Release(uid); err != nil && model.NameOf(err) != model.NotFoundError {
			return err
		}
	}
	log.Info("event handled")
	return d.m.Outbox().MarkHandled(ev.Seq)
}

// applyAnswer applies an updateUI answer; the engine enforces "once, for
// success/fail only", and a refusal is logged, not retried.
func (d *Dispatcher) applyAnswer(log *slog.Logger, ev model.Event, answer []byte) {
	var a model.HandlerAnswer
	if len(answer) == 0 || json.Unmarshal(answer, &a) != nil || a.UpdateUI == nil {
		return
	}
	if err := d.m.UpdateUI(ev.Registration.UID, ev.Type, *a.UpdateUI); err != nil {
		log.Warn("updateUI refused", "name", model.NameOf(err), "err", err)
	}
}
