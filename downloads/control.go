package downloads

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Abort aborts an active fetch (spec C.17): true the first time; false
// once it has settled, or while it is finishing (every body complete and
// being moved to its destination).
func (m *Manager) Abort(uid string) (bool, error) {
	m.mu.Lock()
	f, err := m.lookup(uid)
	if err != nil {
		m.mu.Unlock()
		return false, err
	}
	claimed := m.claimSettle(f, errAborted)
	m.mu.Unlock()
	if !claimed {
		return false, nil
	}
	if err := m.settle(f, model.ResultFailure, model.ReasonAborted); err != nil {
		return false, err
	}
	return true, nil
}

// Pause stops an active fetch's transfers until Resume (bgfetch's own).
func (m *Manager) Pause(uid string) error {
	return m.updateFetch(uid, func(f *fetch, sr *storedRegistration) (bool, error) {
		if err := pausable(f); err != nil || f.paused {
			return false, err
		}
		sr.Paused = true
		return true, nil
	}, func(f *fetch) {
		f.paused = true
		for _, r := range f.recs {
			if r.running {
				r.cancel(errPaused)
			}
		}
	})
}

// Resume continues a paused fetch.
func (m *Manager) Resume(uid string) error {
	return m.updateFetch(uid, func(f *fetch, sr *storedRegistration) (bool, error) {
		if err := pausable(f); err != nil || !f.paused {
			return false, err
		}
		sr.Paused = false
		return true, nil
	}, func(f *fetch) {
		f.paused = false
		for _, r := range f.recs {
			r.failures = 0
		}
		m.markReady(f)
		m.schedule()
	})
}

// pausable checks that f can be paused or resumed. m.mu held.
func pausable(f *fetch) error {
	if !f.reg.Active() || f.settling {
		return model.InvalidStatef("the fetch %s has settled", f.reg.UID)
	}
	if !f.reg.AllGET {
		return model.InvalidStatef("only fetches whose requests are all GET can be paused")
	}
	return nil
}

// PauseAll pauses every pausable active fetch.
func (m *Manager) PauseAll() {
	for _, uid := range m.activeUIDs() {
		_ = m.Pause(uid)
	}
}

// ResumeAll resumes every paused fetch.
func (m *Manager) ResumeAll() {
	for _, uid := range m.activeUIDs() {
		_ = m.Resume(uid)
	}
}

func (m *Manager) activeUIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	uids := make([]string, len(m.order))
	for i, f := range m.order {
		uids[i] = f.reg.UID
	}
	return uids
}

// Release marks a settled registration's records unavailable and deletes
// the bodies kept in the data dir (spec C.7).
func (m *Manager) Release(uid string) error {
	err := m.updateFetch(uid, func(f *fetch, sr *storedRegistration) (bool, error) {
		if f.reg.Active() {
			return false, model.InvalidStatef("the fetch %s is still active", uid)
		}
		sr.RecordsAvailable = false
		return f.reg.RecordsAvailable, nil
	}, func(f *fetch) { f.reg.RecordsAvailable = false })
	if err != nil {
		return err
	}
	m.removeBodies(uid)
	return nil
}

// UpdateUI applies a handler's updateUI answer (spec C.21): once, and only
// for a success or fail event.
func (m *Manager) UpdateUI(uid string, event model.EventType, u model.UpdateUI) error {
	if event != model.EventSuccess && event != model.EventFail {
		return model.InvalidStatef("updateUI is only allowed for success and fail events, not %s", event)
	}
	if err := validateUpdateUI(u); err != nil {
		return err
	}
	return m.updateFetch(uid, func(f *fetch, sr *storedRegistration) (bool, error) {
		if f.reg.Active() {
			return false, model.InvalidStatef("the fetch %s has not settled", uid)
		}
		if f.uiUpdated {
			return false, model.InvalidStatef("updateUI was already called for %s", uid)
		}
		applyUpdateUI(&sr.Registration, u)
		sr.UIUpdated = true
		return true, nil
	}, func(f *fetch) {
		applyUpdateUI(&f.reg, u)
		f.uiUpdated = true
	})
}

func applyUpdateUI(reg *model.Registration, u model.UpdateUI) {
	if u.Title != nil {
		reg.Title = *u.Title
	}
	if u.Icons != nil {
		reg.Icons = u.Icons
	}
}

// updateFetch changes what is stored of a registration, in the order
// f.ops gives: decide looks at f and edits a copy of its document under
// m.mu (false: nothing to do); the copy is stored with m.mu released; then
// apply makes the change in memory and a state event tells the UIs.
func (m *Manager) updateFetch(uid string, decide func(*fetch, *storedRegistration) (bool, error), apply func(*fetch)) error {
	f, err := m.lockOps(uid)
	if err != nil {
		return err
	}
	defer f.ops.Unlock()
	m.mu.Lock()
	sr := f.stored()
	changed, err := decide(f, &sr)
	m.mu.Unlock()
	if err != nil || !changed {
		return err
	}
	doc := sr.doc()
	if err := m.store.Update(func(tx *persistence.Tx) error { return tx.PutRegistration(uid, doc) }); err != nil {
		m.log.Error("store registration", "uid", uid, "err", err)
		return fmt.Errorf("store the registration: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	apply(f)
	m.publishStateLocked(f)
	return nil
}

// Click fires backgroundfetchclick for a kept registration (spec C.22).
func (m *Manager) Click(uid string) error {
	f, err := m.lockOps(uid)
	if err != nil {
		return err
	}
	defer f.ops.Unlock()
	recs, err := m.recordsOf(f)
	if err != nil {
		return err
	}
	m.mu.Lock()
	ev := model.Event{Type: model.EventClick, Registration: m.snapshot(f), Records: recordViews(recs)}
	m.mu.Unlock()
	err = m.store.Update(func(tx *persistence.Tx) error { return m.outbox.append(tx, &ev) })
	if err != nil {
		return fmt.Errorf("store the click event: %w", err)
	}
	m.bus.publish(ev)
	return nil
}

// Forget drops a settled registration entirely (the UI's Clear).
func (m *Manager) Forget(uid string) error {
	f, err := m.lockOps(uid)
	if err != nil {
		return err
	}
	defer f.ops.Unlock()
	m.mu.Lock()
	active := f.reg.Active()
	m.mu.Unlock()
	if active {
		return model.InvalidStatef("the fetch %s is still active", uid)
	}
	if err := m.store.DeleteRegistration(uid); err != nil {
		return err
	}
	m.mu.Lock()
	delete(m.fetches, uid)
	m.mu.Unlock()
	m.removeBodies(uid)
	m.removeUploads(uid)
	return nil
}

// removeBodies deletes a registration's files under the data dir; files
// moved to a destination stay.
func (m *Manager) removeBodies(uid string) {
	if err := os.RemoveAll(filepath.Join(m.bodiesDir, uid)); err != nil {
		m.log.Warn("remove bodies", "uid", uid, "err", err)
	}
}
