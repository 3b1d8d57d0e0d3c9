package ui

import (
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// Item is what one row shows: the registration plus the measured speed.
type Item struct {
	Reg   model.Registration
	Speed float64 // bytes per second, smoothed; 0 when idle or unknown

	// key is the lower-cased text a search looks in (title, id, app, file
	// names), made when a search first needs it.
	key string
}

type speedSample struct {
	at         time.Time
	downloaded int64
	speed      float64
}

// Model is the list of fetches the window shows: the active ones first,
// then the settled ones (the history), each newest first; with a search
// set, only the matching ones. It is safe for concurrent use: the engine's
// event goroutine writes, the UI reads. Writers never wait for drawing;
// they only mark the model dirty.
type Model struct {
	mu      sync.Mutex
	items   []Item
	index   map[string]int // uid → position in items
	samples map[string]speedSample
	dirty   bool
	version uint64
	now     func() time.Time

	// The search: terms all of which a row must contain, and the
	// positions in items of the rows that do (nil: no search, all rows).
	terms    []string
	view     []int
	keyOf    func(model.Registration) string
	stateKey func(model.Registration) string
}

// NewModel returns an empty model.
func NewModel() *Model {
	return &Model{index: map[string]int{}, samples: map[string]speedSample{}, now: time.Now,
		stateKey: func(r model.Registration) string { return strings.ToLower(words.English.State(r)) }}
}

// SetSearchText sets what a search looks in besides the state: keyOf gives
// a registration's searchable text (file names, say), stateText the state
// in the user's words. Either may be nil for the default.
func (m *Model) SetSearchText(keyOf, stateText func(model.Registration) string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keyOf = keyOf
	if stateText != nil {
		m.stateKey = func(r model.Registration) string { return strings.ToLower(stateText(r)) }
	}
	for i := range m.items {
		m.items[i].key = ""
	}
	m.filterLocked()
}

// Set replaces the whole list (at start, from Manager.List).
func (m *Model) Set(regs []model.Registration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items = slices.Grow(m.items[:0], len(regs))
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
	speed := m.speedLocked(r)
	if i, ok := m.index[r.UID]; ok {
		old := m.items[i]
		key := old.key
		if old.Reg.Title != r.Title {
			key = ""
		}
		m.items[i] = Item{Reg: r, Speed: speed, key: key}
		if old.Reg.Active() != r.Active() {
			m.sortLocked() // it moves from the active fetches to the history
		} else if m.terms != nil && (key == "" || old.Reg.State != r.State || old.Reg.WaitReason != r.WaitReason) {
			m.filterLocked() // what it is searched by changed
		}
	} else {
		m.items = append(m.items, Item{Reg: r, Speed: speed})
		m.sortLocked()
	}
	m.markLocked()
}

func (m *Model) speedLocked(r model.Registration) float64 {
	if r.State != model.StateRunning || !r.Active() {
		delete(m.samples, r.UID)
		return 0
	}
	now := m.now()
	s, ok := m.samples[r.UID]
	if !ok || r.Downloaded < s.downloaded {
		m.samples[r.UID] = speedSample{at: now, downloaded: r.Downloaded}
		return 0
	}
	dt := now.Sub(s.at).Seconds()
	if dt < 0.2 {
		return s.speed
	}
	inst := float64(r.Downloaded-s.downloaded) / dt
	if s.speed > 0 {
		inst = 0.3*inst + 0.7*s.speed
	}
	m.samples[r.UID] = speedSample{at: now, downloaded: r.Downloaded, speed: inst}
	return inst
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
	for uid, s := range m.samples {
		i, ok := m.index[uid]
		if !ok || m.items[i].Speed == 0 || now.Sub(s.at) <= speedStale {
			continue
		}
		m.items[i].Speed = 0
		s.speed = 0
		m.samples[uid] = s
		changed = true
	}
	if changed {
		m.markLocked()
	}
	return changed
}

// Reconcile brings the rows in line with a full listing (Manager.List):
// fetches no event announced yet (a registration is not an event) are
// added, and settled fetches no longer kept are removed (forgotten
// elsewhere). Rows already shown keep their newer event data.
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
	m.items = slices.Delete(m.items, i, i+1)
	delete(m.samples, uid)
	m.reindexLocked()
	m.markLocked()
}

// SetQuery filters the rows to those whose title, id, app, file names or
// state (in the user's words) contain every word of q, ignoring case; ""
// shows all.
func (m *Model) SetQuery(q string) {
	terms := strings.Fields(strings.ToLower(q))
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(terms) == 0 {
		terms = nil
	}
	if slices.Equal(terms, m.terms) {
		return
	}
	m.terms = terms
	m.filterLocked()
	m.markLocked()
}

// Query is the search's words, joined by spaces.
func (m *Model) Query() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.terms, " ")
}

func (m *Model) filterLocked() {
	if m.terms == nil {
		m.view = nil
		return
	}
	states := map[string]string{} // a few distinct states among many rows
	m.view = m.view[:0]
	for i := range m.items {
		it := &m.items[i]
		if it.key == "" {
			it.key = m.keyLocked(it.Reg)
		}
		sk := string(it.Reg.State) + "|" + string(it.Reg.Result) + "|" + string(it.Reg.FailureReason) + "|" + string(it.Reg.WaitReason)
		st, ok := states[sk]
		if !ok {
			st = m.stateKey(it.Reg)
			states[sk] = st
		}
		if matches(it.key, st, m.terms) {
			m.view = append(m.view, i)
		}
	}
	if m.view == nil {
		m.view = []int{}
	}
}

func (m *Model) keyLocked(r model.Registration) string {
	return makeKey(r, m.keyOf)
}

func makeKey(r model.Registration, keyOf func(model.Registration) string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Title))
	b.WriteByte('\n')
	b.WriteString(strings.ToLower(r.ID))
	b.WriteByte('\n')
	b.WriteString(strings.ToLower(r.App))
	if keyOf != nil {
		b.WriteByte('\n')
		b.WriteString(strings.ToLower(keyOf(r)))
	}
	return b.String()
}

// WarmKeys makes every settled item's search key now, holding the lock for one
// item at a time, so that the first keystroke of a search does not wait
// for them: keyOf reads a settled fetch's file names from the engine's
// store (10,000 took about 0.3 s). Run it off the UI goroutine.
func (m *Model) WarmKeys() {
	for i := 0; ; i++ {
		m.mu.Lock()
		if i >= len(m.items) {
			m.mu.Unlock()
			return
		}
		reg, done, keyOf := m.items[i].Reg, m.items[i].key != "", m.keyOf
		m.mu.Unlock()
		if done || reg.Active() {
			continue // an active fetch's file names may still change
		}
		key := makeKey(reg, keyOf)
		m.mu.Lock()
		if i < len(m.items) && m.items[i].Reg.UID == reg.UID && m.items[i].key == "" {
			m.items[i].key = key
		}
		m.mu.Unlock()
	}
}

// matches reports whether every term is found in the key or the state: a
// term of letters and digits as the start of a word ("3" finds "Episode
// 3", not "episode-1.mp3"), any other ("spain-2026", "org.example") as
// it is written.
func matches(key, state string, terms []string) bool {
	for _, t := range terms {
		if !found(key, t) && !found(state, t) {
			return false
		}
	}
	return true
}

func found(s, term string) bool {
	if strings.IndexFunc(term, func(r rune) bool { return !isWordRune(r) }) >= 0 {
		return strings.Contains(s, term)
	}
	for off := 0; ; {
		i := strings.Index(s[off:], term)
		if i < 0 {
			return false
		}
		i += off
		if prev, _ := utf8.DecodeLastRuneInString(s[:i]); i == 0 || !isWordRune(prev) {
			return true
		}
		off = i + 1
	}
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// Len is the number of rows shown.
func (m *Model) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.view != nil {
		return len(m.view)
	}
	return len(m.items)
}

// Total is the number of rows, shown or not.
func (m *Model) Total() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// At returns shown row i; false when it no longer exists.
func (m *Model) At(i int) (Item, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.view != nil {
		if i < 0 || i >= len(m.view) {
			return Item{}, false
		}
		i = m.view[i]
	}
	if i < 0 || i >= len(m.items) {
		return Item{}, false
	}
	return m.items[i], true
}

// Find returns the shown row of uid (-1 when a search hides it) and its
// item; false when there is no such fetch.
func (m *Model) Find(uid string) (int, Item, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[uid]
	if !ok {
		return -1, Item{}, false
	}
	it := m.items[i]
	if m.view != nil {
		j, found := slices.BinarySearch(m.view, i)
		if !found {
			return -1, it, true
		}
		i = j
	}
	return i, it, true
}

// Items returns a copy of every row, shown or not.
func (m *Model) Items() []Item {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Item(nil), m.items...)
}

// ForTray returns what the tray shows: the active registrations, newest
// first, and the summary of every row (failures in the history light the
// tray's failure icon), without copying the history.
func (m *Model) ForTray() ([]model.Registration, words.Summary) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []model.Registration
	var sum words.Summary
	for i := range m.items {
		r := &m.items[i].Reg
		sum.Add(*r)
		if r.Active() {
			out = append(out, *r)
		}
	}
	return out, sum
}

// Summary aggregates every row (shown or not) and counts the settled ones,
// without copying the list.
func (m *Model) Summary() (words.Summary, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s words.Summary
	settled := 0
	for i := range m.items {
		s.Add(m.items[i].Reg)
		if !m.items[i].Reg.Active() {
			settled++
		}
	}
	return s, settled
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

// Less orders two registrations as the list shows them: active before
// settled, then newest first.
func Less(a, b model.Registration) bool {
	if a.Active() != b.Active() {
		return a.Active()
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		return a.CreatedAt.After(b.CreatedAt)
	}
	return a.UID > b.UID
}

func (m *Model) sortLocked() {
	slices.SortStableFunc(m.items, func(x, y Item) int {
		switch {
		case Less(x.Reg, y.Reg):
			return -1
		case Less(y.Reg, x.Reg):
			return 1
		}
		return 0
	})
	m.reindexLocked()
}

func (m *Model) reindexLocked() {
	clear(m.index)
	for i, it := range m.items {
		m.index[it.Reg.UID] = i
	}
	m.filterLocked()
}
