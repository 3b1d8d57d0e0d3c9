package downloads

import (
	"context"
	"errors"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/backoff"
)

// schedule starts transfers while connection slots are free, one record at
// a time from each fetch in turn (round robin). m.mu held.
//
// Only fetches in m.ready are looked at: a fetch joins when it may have a
// record to start (registered, loaded, resumed, a record back to pending or
// out of its backoff: markReady) and leaves when it has none. Scanning every
// active fetch instead cost O(fetches) per wake-up: with 1,000 fetches
// retrying a refused server, 39 % of the daemon's CPU.
func (m *Manager) schedule() {
	if m.closed {
		return
	}
	for m.running < m.cfg.MaxConnections && len(m.ready) > 0 {
		f := m.ready[0]
		m.ready[0] = nil
		m.ready = m.ready[1:]
		r := f.nextRunnable()
		if r == nil {
			f.queued = false // until markReady
			continue
		}
		m.start(f, r)
		m.ready = append(m.ready, f) // its next record after the others' turn
	}
}

// markReady queues f for schedule: it may have a record to start. m.mu held.
func (m *Manager) markReady(f *fetch) {
	if !f.queued {
		f.queued = true
		m.ready = append(m.ready, f)
	}
}

// nextRunnable is the first record that can start now. m.mu held.
func (f *fetch) nextRunnable() *record {
	if f.paused || !f.reg.Active() || f.settling {
		return nil
	}
	advance := true // pendingFrom skips only records that are finished
	for i := f.pendingFrom; i < len(f.recs); i++ {
		r := f.recs[i]
		switch {
		case r.finished():
			if advance {
				f.pendingFrom = i + 1
			}
		case r.running || r.waiting:
			advance = false
		default:
			return r
		}
	}
	return nil
}

// start runs a transfer of r in its own goroutine. m.mu held.
func (m *Manager) start(f *fetch, r *record) {
	ctx, cancel := context.WithCancelCause(m.ctx)
	r.running, r.cancel = true, cancel
	r.State = model.RecordRunning
	m.running++
	m.wg.Add(1)
	t := m.newTransfer(f, r)
	go func() {
		defer m.wg.Done()
		err := t.run(ctx)
		m.attemptEnded(f, r, err, context.Cause(ctx))
	}()
}

// attemptEnded decides what comes after a transfer: done, again later,
// from zero, or failed.
func (m *Manager) attemptEnded(f *fetch, r *record, err, cause error) {
	m.mu.Lock()
	r.cancel(nil)
	r.running, r.cancel = false, nil
	m.running--
	fl := m.nextStep(f, r, err, cause)
	m.schedule()
	m.mu.Unlock()
	if fl != nil {
		m.failRecord(f, r, fl)
	}
}

// nextStep applies the outcome of an attempt to r and returns the failure
// to store when it failed for good. m.mu held.
func (m *Manager) nextStep(f *fetch, r *record, err, cause error) *failure {
	switch {
	case !f.reg.Active() || f.settling:
		// Aborted or failed as a whole while this attempt ran.
		if r.State == model.RecordRunning {
			r.State = model.RecordAborted
		}
		return nil
	case errors.Is(cause, errPaused) || errors.Is(cause, errShutdown):
		r.State = model.RecordPending
		// A Resume may have come while this attempt wound down, and found
		// nothing to start then (TestPauseResumeAtOnce).
		m.markReady(f)
		return nil
	case err == nil:
		r.failures, r.restarts = 0, 0
		r.State = model.RecordSuccess
		if r.reason != model.ReasonNone {
			r.State = model.RecordFailed
		}
		m.completeRecord(f, r)
		return nil
	case errors.Is(err, errRestart) && r.restarts < 3:
		r.restarts++
		m.retryLater(f, r, 0)
		m.log.Info("restarting record from zero", "uid", f.reg.UID, "index", r.Index)
		return nil
	}
	v := classify(err, r.Request.Method == "GET")
	if v.capped && r.failures >= maxCappedRetries {
		v.temporary = false
	}
	if !v.temporary {
		if v.fail == nil {
			v.fail = failf(model.ReasonFetchError, "%v", err)
		}
		return v.fail
	}
	if r.offset.Load() > r.attemptFrom {
		r.failures = 0 // it made progress: start the backoff over
	}
	r.failures++
	delay := v.retryAfter
	if delay == 0 {
		delay = m.backoff().Delay(r.failures)
	}
	m.log.Info("transfer interrupted, will retry", "uid", f.reg.UID, "index", r.Index, "in", delay.Round(time.Millisecond), "err", err)
	m.retryLater(f, r, delay)
	m.publishStateLocked(f)
	return nil
}

// retryLater puts r back to pending, at once (delay 0) or after a backoff.
// m.mu held.
func (m *Manager) retryLater(f *fetch, r *record, delay time.Duration) {
	r.State = model.RecordPending
	f.pendingFrom = min(f.pendingFrom, r.Index)
	if delay == 0 {
		m.markReady(f)
		return
	}
	r.waiting = true
	r.timer = time.AfterFunc(delay, func() { m.wake(f, r) })
}

func (m *Manager) backoff() backoff.Policy {
	return backoff.Policy{Min: m.cfg.BackoffMin, Max: m.cfg.BackoffMax, Jitter: true}
}

// wake ends a record's backoff.
func (m *Manager) wake(f *fetch, r *record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r.waiting = false
	r.timer = nil
	m.markReady(f)
	m.schedule()
}

// retryNow ends every backoff at once (the network came back).
func (m *Manager) retryNow() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range m.order {
		for _, r := range f.recs {
			if !r.waiting {
				continue
			}
			if r.timer != nil {
				r.timer.Stop()
				r.timer = nil
			}
			r.waiting = false
			r.failures = 0
			m.markReady(f)
		}
	}
	m.schedule()
}
