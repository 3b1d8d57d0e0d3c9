package downloads

import (
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// every runs fn every d until the manager closes (one of m.loops).
func (m *Manager) every(d time.Duration, fn func()) {
	defer m.loops.Done()
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// publishAllProgress publishes, every ProgressInterval, the progress of
// each active fetch whose counts changed (spec A.8).
func (m *Manager) publishAllProgress() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.publishProgressLocked()
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
	m.bus.publish(model.Event{Type: model.EventProgress, Registration: m.snapshot(f)})
}

// publishStateLocked tells UIs f's state (bgfetch's "state" event). m.mu held.
func (m *Manager) publishStateLocked(f *fetch) {
	reg := m.snapshot(f)
	f.lastState = reg.State
	m.bus.publish(model.Event{Type: model.EventState, Registration: reg})
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
