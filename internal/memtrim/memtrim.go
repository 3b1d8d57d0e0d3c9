package memtrim

import (
	"runtime/debug"
	"time"
)

const (
	// Quiet is how long activity must stand still before a trim.
	Quiet = time.Second
	// Every is the shortest time between two trims.
	Every = 2 * time.Second
	// StartupSpell is when start-up counts as busy once more: Badger's
	// allocator pool gives back the buffers of its first compaction one
	// every 2 s of quiet (up to 8 of 4-16 MiB), after the first trim.
	StartupSpell = 20 * time.Second
)

// Idle decides when to trim. Activity is any counter that moves while
// work goes on (the engine's events); Tick is called with it about once a
// second.
type Idle struct {
	// Release returns the memory (nil: debug.FreeOSMemory).
	Release func()

	activity uint64
	start    time.Time
	changed  time.Time // when activity last moved
	lastTrim time.Time
	pending  bool // work happened since the last trim
	rearmed  bool // the start-up spell's second trim is due or done
}

// Mark notes work that the activity counter does not show.
func (t *Idle) Mark() { t.pending = true }

// Tick trims when work happened, activity has stood still for Quiet and
// the last trim is Every ago; it reports whether it trimmed.
func (t *Idle) Tick(now time.Time, activity uint64) bool {
	if t.start.IsZero() || activity != t.activity {
		if t.start.IsZero() {
			t.start = now
		}
		t.activity, t.changed, t.pending = activity, now, true
		return false
	}
	if !t.rearmed && now.Sub(t.start) >= StartupSpell {
		t.rearmed, t.pending = true, true
	}
	if !t.pending || now.Sub(t.changed) < Quiet || now.Sub(t.lastTrim) < Every {
		return false
	}
	t.pending, t.lastTrim = false, now
	if t.Release != nil {
		t.Release()
	} else {
		debug.FreeOSMemory()
	}
	return true
}

// Run ticks an Idle with release once a second until stop is closed.
func Run(stop <-chan struct{}, activity func() uint64, release func()) {
	t := Idle{Release: release}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			t.Tick(now, activity())
		}
	}
}
