package ui

import (
	"sort"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// Item is what one row shows: the registration plus the measured speed.
type Item struct {
	Reg   model.Registration
	Speed float64 // bytes per second, smoothed; 0 when idle or unknown
}

type speedSample struct {
	at         time.Time
	downloaded int64
	speed      float64
}

// Model is the list of fetches the window shows, newest first. It is safe
// for concurrent use: the engine's event goroutine writes, the UI reads.
// Writers never wait for drawing; they only mark the model dirty.
type Model struct {
	mu      sync.Mutex
	items   []Item
	index   map[string]int
	samples map[string]speedSample
	dirty   bool
	version uint64
	now     func() time.Time
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{index: map[string]int{}, samples: map[string]speedSample{}, now: time.Now}
}

// Set replaces the whole list (at start, from Manager.List).
func (m *Model) Set(regs []model.Registration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = m.items[:0]
	for _, r := range regs {
		m.items = append(m.items, Item{Reg: r})
	}
	m.sortLocked()
	m.markLocked()
}

// Update records a new state of one registration (from an event). It adds
// the registration when it is new.
func (m *Model) Update(r model.Registration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	speed := 0.0
	if r.State == model.StateRunning && r.Active() {
		s, ok := m.samples[r.UID]
		switch {
		case !ok || r.Downloaded < s.downloaded:
			m.samples[r.UID] = speedSample{at: now, downloaded: r.Downloaded}
		default:
			dt := now.Sub(s.at).Seconds()
			if dt >= 0.2 {
				inst := float64(r.Downloaded-s.downloaded) / dt
				if s.speed > 0 {
					inst = 0.3*inst + 0.7*s.speed
				}
				m.samples[r.UID] = speedSample{at: now, downloaded: r.Downloaded, speed: inst}
				speed = inst
			} else {
				speed = s.speed
			}
		}
	} else {
		delete(m.samples, r.UID)
	}
	if i, ok := m.index[r.UID]; ok {
		m.items[i] = Item{Reg: r, Speed: speed}
	} else {
		m.items = append(m.items, Item{Reg: r, Speed: speed})
		m.sortLocked()
	}
	m.markLocked()
}

// speedStale is how long a speed stays on screen without new bytes.
const speedStale = 2 * time.Second

// ExpireSpeeds clears the speed of rows that got no bytes for a while (a
// stalled server sends no progress events, so nothing else would), and
// reports whether it changed any.
func (m *Model) ExpireSpeeds() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	changed := false
	for i := range m.items {
		it := &m.items[i]
		if it.Speed == 0 {
			continue
		}
		if s, ok := m.samples[it.Reg.UID]; !ok || now.Sub(s.at) > speedStale {
			it.Speed = 0
			if ok {
				s.speed = 0
				m.samples[it.Reg.UID] = s
			}
			changed = true
		}
	}
	if changed {
		m.markLocked()
	}
	return changed
}

// Reconcile brings the rows in line with a full listing (Manager.List):
// fetches no event announced yet (a registration is not an event) are
// added, and settled fetches no longer kept are removed (forgotten
// elsewhere). Rows already shown keep
// their newer event data.
func (m *Model) Reconcile(regs []model.Registration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keep := make(map[string]bool, len(regs))
	added := false
	for _, r := range regs {
		keep[r.UID] = true
		if _, ok := m.index[r.UID]; !ok {
			m.items = append(m.items, Item{Reg: r})
			added = true
		}
	}
	removed := false
	out := m.items[:0]
	for _, it := range m.items {
		// Only settled fetches can be forgotten; an active one missing from
		// the listing is newer than the listing.
		if keep[it.Reg.UID] || it.Reg.Active() {
			out = append(out, it)
		} else {
			delete(m.samples, it.Reg.UID)
			removed = true
		}
	}
	clear(m.items[len(out):])
	m.items = out
	if added || removed {
		m.sortLocked()
		m.markLocked()
	}
}

// Remove drops a registration (after Clear).
func (m *Model) Remove(uid string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[uid]
	if !ok {
		return
	}
	m.items = append(m.items[:i], m.items[i+1:]...)
	delete(m.samples, uid)
	m.reindexLocked()
	m.markLocked()
}

// Len is the number of rows.
func (m *Model) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// At returns row i; false when it no longer exists.
func (m *Model) At(i int) (Item, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if i < 0 || i >= len(m.items) {
		return Item{}, false
	}
	return m.items[i], true
}

// Find returns the row of uid.
func (m *Model) Find(uid string) (int, Item, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[uid]
	if !ok {
		return -1, Item{}, false
	}
	return i, m.items[i], true
}

// Items returns a copy of every row.
func (m *Model) Items() []Item {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Item(nil), m.items...)
}

// Settled returns the uids of every settled row matching keep.
func (m *Model) Settled(keep func(model.Registration) bool) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, it := range m.items {
		if !it.Reg.Active() && (keep == nil || keep(it.Reg)) {
			out = append(out, it.Reg.UID)
		}
	}
	return out
}

// TakeDirty reports whether the model changed since the last call, and
// resets the flag.
func (m *Model) TakeDirty() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.dirty
	m.dirty = false
	return d
}

// Version counts the changes so far.
func (m *Model) Version() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.version
}

func (m *Model) markLocked() {
	m.dirty = true
	m.version++
}

func (m *Model) sortLocked() {
	sort.SliceStable(m.items, func(i, j int) bool {
		a, b := m.items[i].Reg, m.items[j].Reg
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.After(b.CreatedAt)
		}
		return a.UID > b.UID
	})
	m.reindexLocked()
}

func (m *Model) reindexLocked() {
	clear(m.index)
	for i, it := range m.items {
		m.index[it.Reg.UID] = i
	}
}
