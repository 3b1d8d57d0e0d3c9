package downloads

import (
	"fmt"
	"os"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Settling a fetch (spec A.6) takes two steps. claimSettle, under m.mu,
// makes the fetch settling: nothing new starts, running transfers are
// cancelled, unfinished records become aborted, and Abort answers false.
// settle then does the slow part with m.mu released (f.ops held): remove
// partial bodies, move bodies to the destination, store the settled
// registration and its event in one transaction, and only then make it
// settled in memory and publish a last progress event and the event.

// claimSettle claims the settling of f, cancelling its transfers with
// cause; false when f has settled or is settling already. m.mu held.
func (m *Manager) claimSettle(f *fetch, cause error) bool {
	if !f.reg.Active() || f.settling {
		return false
	}
	f.settling = true
	for _, r := range f.recs {
		if r.running {
			r.cancel(cause)
		}
		if r.timer != nil {
			r.timer.Stop()
			r.timer = nil
		}
		r.waiting = false
		if !r.finished() {
			r.State = model.RecordAborted
		}
	}
	return true
}

// settleIfDone settles f once every record finished and is durable (spec
// A.5: the first failing record's reason wins). With background set, a
// settle that moves bodies to a destination runs in its own goroutine (the
// caller is the flusher, which must not wait for a copy).
func (m *Manager) settleIfDone(f *fetch, background bool) {
	m.mu.Lock()
	if !f.reg.Active() || f.settling {
		m.mu.Unlock()
		return
	}
	reason := model.ReasonNone
	for _, r := range f.recs {
		if !r.finished() || !r.saved {
			m.mu.Unlock()
			return
		}
		if r.State != model.RecordSuccess && reason == model.ReasonNone {
			reason = r.reason
			if reason == model.ReasonNone {
				reason = model.ReasonFetchError
			}
		}
	}
	result := model.ResultSuccess
	if reason != model.ReasonNone {
		result = model.ResultFailure
	}
	m.claimSettle(f, errSettled)
	moves := result == model.ResultSuccess && f.reg.Destination != ""
	m.mu.Unlock()
	if moves && background {
		m.settles.Add(1)
		go func() {
			defer m.settles.Done()
			m.settle(f, result, reason)
		}()
		return
	}
	m.settle(f, result, reason)
}

// settle ends a fetch whose settling was claimed. m.mu not held.
func (m *Manager) settle(f *fetch, result model.Result, reason model.FailureReason) error {
	f.ops.Lock()
	defer f.ops.Unlock()
	m.removeAbortedPartials(f)
	var moveFailed map[int][]byte // records that say why the move failed
	if result == model.ResultSuccess && f.reg.Destination != "" {
		fl, err := m.moveToDestination(m.ctx, f)
		if err != nil {
			// Shutting down: stay active; the next start moves again.
			m.unclaim(f)
			return err
		}
		if fl != nil {
			m.log.Warn("move to destination failed", "uid", f.reg.UID, "reason", fl.reason, "err", fl.msg)
			result, reason = model.ResultFailure, fl.reason
			moveFailed = m.noteMoveFailure(f, fl.msg)
		}
	}
	ev, doc := m.settledEvent(f, result, reason)
	err := m.store.Update(func(tx *persistence.Tx) error {
		for i, d := range moveFailed {
			if err := tx.PutRecord(f.reg.UID, i, d); err != nil {
				return err
			}
		}
		if err := tx.PutRegistration(f.reg.UID, doc); err != nil {
			return err
		}
		return m.outbox.append(tx, &ev)
	})
	if err != nil {
		// Nothing is announced that is not stored: stay active in memory,
		// so that a restart settles it again.
		m.log.Error("settle", "uid", f.reg.UID, "err", err)
		m.unclaim(f)
		return fmt.Errorf("store the settled fetch: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	// Field by field: transfers still winding down read the others.
	reg := ev.Registration
	f.reg.Result, f.reg.FailureReason, f.reg.SettledAt, f.reg.State = reg.Result, reg.FailureReason, reg.SettledAt, reg.State
	f.settling = false
	f.speed, f.limiter = nil, nil // a running transfer keeps its own pointer
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
	return nil
}

// noteMoveFailure gives every successful record of f the reason its body
// could not be moved to the destination (the bodies stay in the data dir,
// readable through the API) and returns their documents to store.
func (m *Manager) noteMoveFailure(f *fetch, msg string) map[int][]byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	docs := map[int][]byte{}
	for _, r := range f.recs {
		if r.State == model.RecordSuccess && r.Error == "" {
			r.Error = msg
			docs[r.Index] = recordDoc(r)
		}
	}
	return docs
}

// settledEvent is f's event and stored document once settled as result
// and reason; f itself is unchanged.
func (m *Manager) settledEvent(f *fetch, result model.Result, reason model.FailureReason) (model.Event, []byte) {
	typ := model.EventSuccess
	switch {
	case reason == model.ReasonAborted:
		typ = model.EventAbort
	case result == model.ResultFailure:
		typ = model.EventFail
	}
	now := time.Now().UTC()
	m.mu.Lock()
	defer m.mu.Unlock()
	sr := f.stored()
	sr.Result, sr.FailureReason, sr.SettledAt, sr.State = result, reason, &now, model.StateSettled
	reg := m.snapshot(f)
	reg.Result, reg.FailureReason, reg.SettledAt, reg.State = result, reason, &now, model.StateSettled
	return model.Event{Type: typ, Registration: reg, Records: recordViews(f.recs)}, sr.doc()
}

// unclaim undoes claimSettle after a settle could not be stored; the
// records it aborted stay aborted until a restart reads them again.
func (m *Manager) unclaim(f *fetch) {
	m.mu.Lock()
	f.settling = false
	m.mu.Unlock()
}

// removeAbortedPartials deletes the partial bodies of records aborted by
// the settle that are not running (a running one still writes; its
// folder goes at release).
func (m *Manager) removeAbortedPartials(f *fetch) {
	m.mu.Lock()
	var paths []string
	for _, r := range f.recs {
		if r.State == model.RecordAborted && !r.running {
			paths = append(paths, m.partialPath(f, r))
		}
	}
	m.mu.Unlock()
	for _, p := range paths {
		os.Remove(p)
	}
}

// failRecord settles one record as failed: stored first, then the fetch
// settles if it is done (download-total-exceeded fails the whole fetch at
// once, spec A.5). m.mu not held.
func (m *Manager) failRecord(f *fetch, r *record, fl *failure) {
	f.ops.Lock()
	m.mu.Lock()
	if !f.reg.Active() || f.settling {
		m.mu.Unlock()
		f.ops.Unlock()
		return
	}
	r.State, r.reason, r.Error = model.RecordFailed, fl.reason, fl.msg
	doc := recordDoc(r)
	m.mu.Unlock()
	m.log.Warn("request failed", "uid", f.reg.UID, "index", r.Index, "reason", fl.reason, "err", fl.msg)
	err := m.store.Update(func(tx *persistence.Tx) error { return tx.PutRecord(f.reg.UID, r.Index, doc) })
	if err != nil {
		m.log.Error("store record", "uid", f.reg.UID, "index", r.Index, "err", err)
	}
	m.mu.Lock()
	r.saved = true
	claimed := fl.reason == model.ReasonDownloadTotalExceeded && m.claimSettle(f, errSettled)
	m.mu.Unlock()
	f.ops.Unlock()
	if claimed {
		m.settle(f, model.ResultFailure, fl.reason)
		return
	}
	m.settleIfDone(f, false)
}
