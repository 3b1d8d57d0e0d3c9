package downloads

import (
	"time"

	"github.com/bgfetch/bgfetch/persistence"
)

// Retention: what bgfetch keeps after a fetch settled.
const (
	// keepEvents is how many of the newest outbox entries stay for SSE
	// replay (Last-Event-ID) after their handler took them.
	keepEvents       = 10000
	maintenanceEvery = 10 * time.Minute
)

func (m *Manager) maintain(now time.Time) {
	if last := m.store.LastOutboxSeq(); last > keepEvents {
		err := m.store.Update(func(tx *persistence.Tx) error {
			_, err := tx.PruneOutbox(last - keepEvents)
			return err
		})
		if err != nil {
			m.log.Warn("prune outbox", "err", err)
		}
	}
	m.mu.Lock()
	// A settled, released registration stays in the history (GET
	// /v1/registrations, the window) for the setting keepHistoryDays.
	keepHistory := time.Duration(m.settings.KeepHistoryDays) * 24 * time.Hour
	var old []string
	for uid, f := range m.fetches {
		if !f.reg.Active() && !f.reg.RecordsAvailable && f.reg.SettledAt != nil && now.Sub(*f.reg.SettledAt) > keepHistory {
			old = append(old, uid)
		}
	}
	m.mu.Unlock()
	for _, uid := range old {
		if err := m.Forget(uid); err != nil {
			m.log.Warn("forget old registration", "uid", uid, "err", err)
		}
	}
}
