package downloads

import (
	"context"
	"errors"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/backoff"
)

// The scheduler shares the connection slots (settings maxConnections)
// between fetches. A fetch waits in the ready queue of its priority while
// it may have a record to start; schedule serves the queues highest
// priority first, round robin within one (so in registration order at
// first), one record at a time. A fetch that waited longer than
// Config.PriorityAging counts one priority higher per such wait, so low
// work still progresses when slots free up. A segmented transfer holds
// extra slots only while nobody else waits for one (grantSlot, slotWanted).

// schedule starts transfers while connection slots are free. m.mu held.
//
// Only fetches in the ready queues are looked at: a fetch joins when it may
// have a record to start (markReady) and leaves when it has none. Scanning
// every active fetch instead cost O(fetches) per wake-up: with 1,000
// fetches retrying a refused server, 39 % of the daemon's CPU.
func (m *Manager) schedule() {
	if m.closed {
		return
	}
	m.slotWanted = false
	for {
		f := m.nextReady()
		if f == nil {
			return
		}
		m.popReady(f)
		r := m.nextRunnable(f)
		if r == nil {
			f.queued = false // until markReady
			continue
		}
		if m.running >= m.settings.MaxConnections {
			// r waits for a slot: back to the head of its queue, and
			// segmented transfers give their extra slots back.
			m.unclaimProbe(r)
			m.ready[f.rank()] = append([]*fetch{f}, m.ready[f.rank()]...)
			m.slotWanted = true
			return
		}
		m.start(f, r)
		m.pushReady(f) // its next record after the others' turn
	}
}

// nextReady is the head of the ready queue to serve first, or nil. m.mu held.
func (m *Manager) nextReady() *fetch {
	var best *fetch
	bestRank := 0
	now := time.Now()
	for rank := range m.ready {
		if len(m.ready[rank]) == 0 {
			continue
		}
		f := m.ready[rank][0]
		eff := rank
		if aging := m.cfg.PriorityAging; aging > 0 {
			eff -= int(now.Sub(f.lastStart) / aging)
		}
		if best == nil || eff < bestRank {
			best, bestRank = f, eff
		}
	}
	return best
}

func (m *Manager) popReady(f *fetch) {
	q := m.ready[f.rank()]
	q[0] = nil
	m.ready[f.rank()] = q[1:]
}

func (m *Manager) pushReady(f *fetch) {
	m.ready[f.rank()] = append(m.ready[f.rank()], f)
}

// markReady queues f for schedule: it may have a record to start. m.mu held.
func (m *Manager) markReady(f *fetch) {
	if !f.queued {
		f.queued = true
		m.pushReady(f)
	}
}

// changeQueue moves a queued f to the queue of its new priority. m.mu held.
func (m *Manager) changeQueue(f *fetch, oldRank int) {
	if !f.queued {
		return
	}
	q := m.ready[oldRank]
	for i, o := range q {
		if o == f {
			m.ready[oldRank] = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	m.pushReady(f)
}

// nextRunnable is the first record of f that can start now. m.mu held.
func (m *Manager) nextRunnable(f *fetch) *record {
	if f.paused || !f.reg.Active() || f.settling || m.gate(f) != model.WaitNone {
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
		case r.running || r.waiting || r.hostWait && !m.mayProbe(r):
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
	r.State, r.waitReason = model.RecordRunning, model.WaitNone
	f.lastStart = time.Now()
	m.running++
	m.wg.Add(1)
	t := m.newTransfer(f, r)
	r.transfer = t
	go func() {
		defer m.wg.Done()
		err := t.run(ctx)
		m.attemptEnded(f, r, err, context.Cause(ctx))
	}()
}

// grantSlot gives a running transfer of f one more connection slot if one
// is free and nobody waits for it. m.mu not held.
func (m *Manager) grantSlot() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.schedule() // serve the queues first
	if m.closed || m.slotWanted || m.running >= m.settings.MaxConnections {
		return false
	}
	m.running++
	return true
}

// releaseSlot returns an extra slot.
func (m *Manager) releaseSlot() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.running--
	m.schedule()
}

// slotsWanted reports whether a fetch waits for a slot (segmented
// transfers then give their extra slots back).
func (m *Manager) slotsWanted() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.slotWanted || m.running > m.settings.MaxConnections
}

// failedRecord is a record to store as failed, outside the lock.
type failedRecord struct {
	f  *fetch
	r  *record
	fl *failure
}

// attemptEnded decides what comes after a transfer: done, again later,
// from zero, or failed.
func (m *Manager) attemptEnded(f *fetch, r *record, err, cause error) {
	m.mu.Lock()
	r.cancel(nil)
	r.running, r.cancel, r.transfer = false, nil, nil
	m.running--
	failed := m.nextStep(f, r, err, cause)
	m.schedule()
	m.mu.Unlock()
	for _, fr := range failed {
		m.failRecord(fr.f, fr.r, fr.fl)
	}
}

// nextStep applies the outcome of an attempt to r and returns the records
// that failed for good. m.mu held.
func (m *Manager) nextStep(f *fetch, r *record, err, cause error) []failedRecord {
	switch {
	case !f.reg.Active() || f.settling:
		// Aborted or failed as a whole while this attempt ran.
		if r.State == model.RecordRunning {
			r.State = model.RecordAborted
		}
		m.forgetHostWait(r)
		return nil
	case errors.Is(cause, errPaused) || errors.Is(cause, errShutdown) || errors.Is(cause, errGated):
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
		m.forgetHostWait(r)
		m.completeRecord(f, r)
		return nil
	case errors.Is(err, errSegment):
		m.retryLater(f, r, 0) // the next attempt runs in segments (segments.go)
		return nil
	case errors.Is(err, errRestart) && r.restarts < 3:
		r.restarts++
		m.retryLater(f, r, 0)
		m.log.Info("restarting record from zero", "uid", f.reg.UID, "index", r.Index)
		return nil
	}
	return m.afterFailure(f, r, err)
}

// afterFailure handles a failed attempt: a permanent failure, a host that
// cannot be reached (all its records wait together), or a temporary
// failure retried after a backoff. m.mu held.
func (m *Manager) afterFailure(f *fetch, r *record, err error) []failedRecord {
	v := classify(err, r.Request.Method == "GET")
	if v.unreachable && v.temporary {
		r.State = model.RecordPending
		f.pendingFrom = min(f.pendingFrom, r.Index)
		failures := m.hostDown(f, r, v.capped)
		m.publishStateLocked(f)
		if v.capped && failures > maxCappedRetries {
			return m.failHost(r.host, v.fail)
		}
		return nil
	}
	if v.capped && r.failures >= maxCappedRetries {
		v.temporary = false
	}
	if !v.temporary {
		if v.fail == nil {
			v.fail = failf(model.ReasonFetchError, "%v", err)
		}
		return []failedRecord{{f, r, v.fail}}
	}
	if r.offset.Load() > r.attemptFrom {
		r.failures = 0 // it made progress: start the backoff over
	}
	r.failures++
	delay := v.retryAfter
	r.waitReason = model.WaitNetwork
	if v.retryAfter > 0 || errors.As(err, new(*retryableStatus)) {
		r.waitReason = model.WaitRetry
	}
	if delay == 0 {
		delay = m.backoff().Delay(r.failures)
	}
	m.log.Info("transfer interrupted, will retry", "uid", f.reg.UID, "index", r.Index, "in", delay.Round(time.Millisecond), "err", err)
	m.retryLater(f, r, delay)
	m.publishStateLocked(f)
	return nil
}

// failHost fails every record waiting for an unreachable host whose
// failures give up (no such name). m.mu held.
func (m *Manager) failHost(key string, fl *failure) []failedRecord {
	h := m.hosts[key]
	if h == nil {
		return nil
	}
	var out []failedRecord
	for r, f := range h.waiting {
		out = append(out, failedRecord{f, r, fl})
	}
	for _, fr := range out {
		m.forgetHostWait(fr.r)
	}
	return out
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
	m.retryHosts()
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
