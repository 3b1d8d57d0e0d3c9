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
	now := time.Now()
	for _, f := range m.order {
		st := m.stateOf(f)
		if st == model.StateRunning {
			if f.speed == nil {
				f.speed = &speedMeter{}
			}
			f.speed.add(now, f.downloaded.Load())
		} else {
			f.speed = nil
		}
		m.publishProgress(f, false)
		if st != f.lastState {
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

// speedMeter is a fetch's speed: bytes per second over the last few
// seconds of progress samples. Guarded by Manager.mu.
type speedMeter struct {
	samples [16]speedSample
	n, next int
}

type speedSample struct {
	at    time.Time
	bytes int64
}

// speedWindow is how far back the speed looks.
const speedWindow = 3 * time.Second

func (s *speedMeter) add(at time.Time, bytes int64) {
	if s.n > 0 {
		last := s.samples[(s.next+len(s.samples)-1)%len(s.samples)]
		if bytes < last.bytes { // restarted from zero: measure anew
			s.n = 0
		}
	}
	s.samples[s.next] = speedSample{at, bytes}
	s.next = (s.next + 1) % len(s.samples)
	s.n = min(s.n+1, len(s.samples))
}

// rate is the bytes per second between the newest sample and the oldest
// within speedWindow of it (0 with fewer than two samples).
func (s *speedMeter) rate() int64 {
	if s.n < 2 {
		return 0
	}
	newest := s.samples[(s.next+len(s.samples)-1)%len(s.samples)]
	oldest := newest
	for i := 2; i <= s.n; i++ {
		c := s.samples[(s.next+len(s.samples)-i)%len(s.samples)]
		if newest.at.Sub(c.at) > speedWindow {
			break
		}
		oldest = c
	}
	dt := newest.at.Sub(oldest.at).Seconds()
	if dt <= 0 {
		return 0
	}
	return int64(float64(newest.bytes-oldest.bytes) / dt)
}
