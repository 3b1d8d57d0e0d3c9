package downloads

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"time"

	"github.com/bgfetch/bgfetch/persistence"
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
	if f.paused || !f.reg.Active() {
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

func (m *Manager) start(f *fetch, r *record) {
	ctx, cancel := context.WithCancelCause(m.ctx)
	r.running, r.cancel = true, cancel
	r.State = RecordRunning
	m.running++
	m.wg.Add(1)
	go m.runRecord(ctx, f, r)
}

// runRecord runs one attempt of a record and decides what comes next.
func (m *Manager) runRecord(ctx context.Context, f *fetch, r *record) {
	defer m.wg.Done()
	err := m.transfer(ctx, f, r)
	cause := context.Cause(ctx)

	m.mu.Lock()
	defer m.mu.Unlock()
	r.cancel(nil)
	r.running, r.cancel = false, nil
	m.running--
	defer m.schedule()

	if !f.reg.Active() {
		// Aborted or failed as a whole while this attempt ran.
		if r.State == RecordRunning {
			r.State = RecordAborted
		}
		return
	}
	if errors.Is(cause, errPaused) || errors.Is(cause, errShutdown) {
		r.State = RecordPending
		// A Resume may have come while this attempt wound down, and found
		// nothing to start then (TestPauseResumeAtOnce).
		m.markReady(f)
		return
	}
	if err == nil {
		r.failures, r.restarts = 0, 0
		if r.reason != "" {
			r.State = RecordFailed
		} else {
			r.State = RecordSuccess
		}
		m.completeRecord(f, r)
		return
	}
	if errors.Is(err, errRestart) && r.restarts < 3 {
		r.restarts++
		r.State = RecordPending
		f.pendingFrom = min(f.pendingFrom, r.Index)
		m.markReady(f)
		m.log.Info("restarting record from zero", "uid", f.reg.UID, "index", r.Index)
		return
	}
	v := classify(err, r.Request.Method == "GET")
	if v.capped && r.failures >= maxCappedRetries {
		v.temporary = false
	}
	if v.temporary {
		if r.offset.Load() > r.attemptFrom {
			r.failures = 0 // it made progress: start the backoff over
		}
		r.failures++
		delay := v.retryAfter
		if delay == 0 {
			delay = backoff(r.failures, m.cfg.BackoffMin, m.cfg.BackoffMax)
		}
		r.State = RecordPending
		r.waiting = true
		f.pendingFrom = min(f.pendingFrom, r.Index)
		m.log.Info("transfer interrupted, will retry", "uid", f.reg.UID, "index", r.Index, "in", delay.Round(time.Millisecond), "err", err)
		r.timer = time.AfterFunc(delay, func() { m.wake(f, r) })
		m.publishStateLocked(f)
		return
	}
	if v.fail == nil {
		v.fail = failf(ReasonFetchError, "%v", err)
	}
	m.failRecord(f, r, v.fail)
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
			if r.waiting {
				if r.timer != nil {
					r.timer.Stop()
					r.timer = nil
				}
				r.waiting = false
				r.failures = 0
				m.markReady(f)
			}
		}
	}
	m.schedule()
}

// backoff is capped exponential backoff with full jitter in [d/2, d].
func backoff(failures int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < failures && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// failRecord settles one record as failed. m.mu held.
func (m *Manager) failRecord(f *fetch, r *record, fl *failure) {
	r.State = RecordFailed
	r.reason = fl.reason
	r.Error = fl.msg
	m.log.Warn("request failed", "uid", f.reg.UID, "index", r.Index, "reason", fl.reason, "err", fl.msg)
	m.saveRecord(f, r)
	r.saved = true
	if fl.reason == ReasonDownloadTotalExceeded {
		// Fails the whole fetch at once (spec A.5).
		m.settle(f, ResultFailure, fl.reason, errSettled)
		return
	}
	m.maybeSettle(f)
}

// maybeSettle settles f once every record finished (spec A.5: the first
// failing record's reason wins). m.mu held.
func (m *Manager) maybeSettle(f *fetch) {
	if !f.reg.Active() {
		return
	}
	reason := ReasonNone
	for _, r := range f.recs {
		if !r.finished() || !r.saved {
			return
		}
		if r.State != RecordSuccess && reason == ReasonNone {
			reason = r.reason
			if reason == ReasonNone {
				reason = ReasonFetchError
			}
		}
	}
	if reason == ReasonNone {
		m.settle(f, ResultSuccess, ReasonNone, nil)
		return
	}
	m.settle(f, ResultFailure, reason, nil)
}

// settle ends an active fetch (spec A.6): cancel what still runs, move
// bodies to the destination on success, store the settled registration and
// its event in one transaction, then publish a last progress event and the
// event. m.mu held.
func (m *Manager) settle(f *fetch, result Result, reason FailureReason, cancelCause error) {
	for _, r := range f.recs {
		if r.running && cancelCause != nil {
			r.cancel(cancelCause)
		}
		if r.timer != nil {
			r.timer.Stop()
			r.timer = nil
		}
		r.waiting = false
		if !r.finished() {
			r.State = RecordAborted
			if !r.running {
				os.Remove(m.partialPath(f, r))
			}
		}
	}
	if result == ResultSuccess && f.reg.Destination != "" {
		if fl := m.moveToDestination(f); fl != nil {
			result, reason = ResultFailure, fl.reason
		}
	}
	now := time.Now().UTC()
	prev := f.reg
	f.reg.Result, f.reg.FailureReason, f.reg.SettledAt = result, reason, &now
	f.reg.State = StateSettled
	typ := EventSuccess
	switch {
	case reason == ReasonAborted:
		typ = EventAbort
	case result == ResultFailure:
		typ = EventFail
	}
	ev, err := m.storeEvent(f, typ, func(tx *persistence.Tx) error {
		return m.putRegistration(tx, f)
	})
	if err != nil {
		// Nothing is announced that is not stored: stay active in memory
		// so a restart settles it again.
		f.reg = prev
		m.log.Error("settle", "uid", f.reg.UID, "err", err)
		return
	}
	delete(m.active, appID{f.reg.App, f.reg.ID})
	for i, o := range m.order {
		if o == f {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
	m.publishProgress(f, true)
	m.bus.publish(ev)
	m.log.Info("fetch settled", "uid", f.reg.UID, "result", result, "reason", reason)
}

// progressLoop publishes progress at most every ProgressInterval per
// registration, only when something changed (spec A.8).
func (m *Manager) progressLoop() {
	defer m.loops.Done()
	t := time.NewTicker(m.cfg.ProgressInterval)
	defer t.Stop()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-t.C:
			m.mu.Lock()
			m.publishProgressLocked()
			m.mu.Unlock()
		}
	}
}

func (m *Manager) publishProgressLocked() {
	for _, f := range m.order {
		m.publishProgress(f, false)
		if s := m.stateOf(f); s != f.lastState {
			m.publishStateLocked(f)
		}
	}
}

// publishProgress publishes a progress event if the byte counts changed,
// or unconditionally when final. m.mu held.
func (m *Manager) publishProgress(f *fetch, final bool) {
	d, u := f.downloaded.Load(), f.uploadedBytes()
	if !final && d == f.lastDownloaded && u == f.lastUploaded {
		return
	}
	f.lastDownloaded, f.lastUploaded = d, u
	m.bus.publish(Event{Type: EventProgress, Registration: m.snapshot(f)})
}

func (m *Manager) publishStateLocked(f *fetch) {
	reg := m.snapshot(f)
	f.lastState = reg.State
	m.bus.publish(Event{Type: EventState, Registration: reg})
}

// freeQuota is the bytes new bodies may still take: the disk's free space,
// capped by Config.QuotaBytes.
func (m *Manager) freeQuota() (int64, bool) {
	free, ok := diskFree(m.cfg.DataDir)
	if m.cfg.QuotaBytes > 0 {
		left := m.cfg.QuotaBytes - m.usedBytes()
		if !ok || left < free {
			free, ok = max(left, 0), true
		}
	}
	return free, ok
}

// usedBytes is the bytes held by active fetches' bodies.
func (m *Manager) usedBytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	for _, f := range m.order {
		n += f.downloaded.Load()
	}
	return n
}
