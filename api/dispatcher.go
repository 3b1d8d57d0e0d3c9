package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
)

// DispatcherOptions tune handler delivery. Zero values take the defaults.
type DispatcherOptions struct {
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
	Poll   time.Duration
	Logger *slog.Logger
}

func (o *DispatcherOptions) setDefaults() {
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
// registration's records are released. An event with no handler at all is
// marked handled and its records are kept until POST .../release.
type Dispatcher struct {
	m    *downloads.Manager
	opts DispatcherOptions
	send deliverer
}

// NewDispatcher makes a dispatcher for m; Run starts it.
func NewDispatcher(m *downloads.Manager, opts DispatcherOptions) *Dispatcher {
	opts.setDefaults()
	return &Dispatcher{m: m, opts: opts, send: newDeliverer(opts.Timeout)}
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

// Run delivers until ctx ends, then waits for deliveries in flight.
func (d *Dispatcher) Run(ctx context.Context) {
	sub := d.m.Subscribe("")
	defer sub.Close()
	wake := sub.C // nil once closed: the poll still finds new events
	results := make(chan deliveryResult)
	lanes := map[string]*lane{}
	var inflight sync.WaitGroup
	defer inflight.Wait()
	busy := 0
	var floor uint64 // every outbox entry up to floor is handled

	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		heads, newFloor, err := d.pendingHeads(floor)
		if err != nil {
			d.opts.Logger.Error("read event outbox", "err", err)
		} else {
			floor = newFloor
		}
		now := time.Now()
		wait := d.opts.Poll
		for uid, l := range lanes {
			if _, pending := heads[uid]; !pending && !l.busy {
				delete(lanes, uid)
			}
		}
		for uid, ev := range heads {
			l := lanes[uid]
			if l == nil {
				l = &lane{}
				lanes[uid] = l
			}
			if l.busy {
				continue
			}
			if l.seq != ev.Seq {
				*l = lane{seq: ev.Seq}
			}
			if until := l.next.Sub(now); until > 0 {
				wait = min(wait, until)
				continue
			}
			if busy >= d.opts.Concurrency {
				continue
			}
			l.busy = true
			busy++
			inflight.Add(1)
			go func(ev downloads.Event) {
				defer inflight.Done()
				err := d.deliver(ctx, ev)
				select {
				case results <- deliveryResult{uid: ev.Registration.UID, seq: ev.Seq, err: err}:
				case <-ctx.Done():
				}
			}(ev)
		}
		timer.Reset(wait)
	waitLoop:
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-wake:
				if !ok {
					wake = nil
				} else if ev.Seq == 0 { // progress or state: nothing to deliver
					continue
				}
				break waitLoop
			case res := <-results:
				busy--
				if l := lanes[res.uid]; l != nil {
					l.busy = false
					if res.err != nil {
						l.attempts++
						l.next = time.Now().Add(d.backoff(l.attempts))
						d.opts.Logger.Warn("event handler failed; will retry", "uid", res.uid, "seq", res.seq,
							"attempt", l.attempts, "retryIn", d.backoff(l.attempts), "err", res.err)
					}
				}
				break waitLoop
			case <-timer.C:
				break waitLoop
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// backoff is RetryBase·2^(attempts-1), capped at RetryMax.
func (d *Dispatcher) backoff(attempts int) time.Duration {
	delay := d.opts.RetryBase
	for i := 1; i < attempts && delay < d.opts.RetryMax; i++ {
		delay *= 2
	}
	return min(delay, d.opts.RetryMax)
}

// pendingHeads reads the outbox after floor and returns, per registration,
// its oldest unhandled event, and the new floor (the seq before the first
// unhandled entry).
func (d *Dispatcher) pendingHeads(floor uint64) (map[string]downloads.Event, uint64, error) {
	heads := map[string]downloads.Event{}
	newFloor := floor
	blocked := false
	err := d.m.EventsAfter(floor, func(ev downloads.Event, handled bool) bool {
		if handled {
			if !blocked {
				newFloor = ev.Seq
			}
			return true
		}
		blocked = true
		if _, seen := heads[ev.Registration.UID]; !seen {
			heads[ev.Registration.UID] = ev
		}
		return true
	})
	return heads, newFloor, err
}

// deliver hands one event to its handler and records the outcome. The
// order matters for crash safety: updateUI, then release, then mark
// handled; a crash in between only repeats the delivery.
func (d *Dispatcher) deliver(ctx context.Context, ev downloads.Event) error {
	uid := ev.Registration.UID
	log := d.opts.Logger.With("uid", uid, "seq", ev.Seq, "event", ev.Type)
	spec, ok, err := d.handlerFor(ev.Registration)
	if err != nil {
		return err
	}
	if !ok {
		log.Debug("no handler; event marked handled, records kept until release")
		return d.m.MarkHandled(ev.Seq)
	}
	answer, err := d.send.deliver(ctx, spec, ev)
	if err != nil {
		return err
	}
	d.applyAnswer(log, ev, answer)
	if releasesRecords(ev.Type) {
		if err := d.m.Release(uid); err != nil && downloads.ErrorName(err) != downloads.NotFoundError {
			return err
		}
	}
	log.Info("event handled")
	return d.m.MarkHandled(ev.Seq)
}

// handlerFor is the fetch's own handler, else its app's, else none.
func (d *Dispatcher) handlerFor(reg downloads.Registration) (HandlerSpec, bool, error) {
	raw := reg.Handler
	if len(raw) == 0 || string(raw) == "null" {
		appRaw, err := appHandlerOf(d.m, reg.App)
		if err != nil {
			return HandlerSpec{}, false, err
		}
		raw = appRaw
	}
	if raw == nil {
		return HandlerSpec{}, false, nil
	}
	var spec HandlerSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return HandlerSpec{}, false, err
	}
	return spec, true, validateHandlerSpec(spec)
}

func releasesRecords(t downloads.EventType) bool {
	return t == downloads.EventSuccess || t == downloads.EventFail || t == downloads.EventAbort
}

// HandlerAnswer is what a handler may print (command) or answer (webhook).
type HandlerAnswer struct {
	UpdateUI *UpdateUI `json:"updateUI"`
}

// UpdateUI is event.updateUI({title, icons}) (spec C.21).
type UpdateUI struct {
	Title *string          `json:"title"`
	Icons []downloads.Icon `json:"icons"`
}

// applyAnswer applies an updateUI answer; the engine enforces "once, for
// success/fail only", and a refusal is logged, not retried.
func (d *Dispatcher) applyAnswer(log *slog.Logger, ev downloads.Event, answer []byte) {
	var a HandlerAnswer
	if len(answer) == 0 || json.Unmarshal(answer, &a) != nil || a.UpdateUI == nil {
		return
	}
	err := d.m.UpdateUI(ev.Registration.UID, ev.Type, a.UpdateUI.Title, a.UpdateUI.Icons)
	if err != nil {
		log.Warn("updateUI refused", "name", downloads.ErrorName(err), "err", err)
	}
}
