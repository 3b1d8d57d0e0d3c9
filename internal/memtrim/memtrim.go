package memtrim

import (
	"cmp"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

const (
	// Quiet is how long activity must stand still before a trim.
	Quiet = time.Second
	// Every is the shortest time between two trims unless Idle.Every says
	// otherwise.
	Every = 2 * time.Second
	// StartupSpell is when start-up counts as busy once more: Badger's
	// allocator pool gives back the buffers of its first compaction one
	// every 2 s of quiet (up to 8 of 4-16 MiB), after the first trim.
	StartupSpell = 20 * time.Second
	// DaemonEvery is the headless daemon's shortest time between trims.
	DaemonEvery = 30 * time.Second
	// tickSlack is how early a tick may come and still count as the one
	// that ends a wait (Tick).
	tickSlack = 50 * time.Millisecond
	// Worth is the free heap (not yet returned) below which a trim is not
	// worth its collection: a daemon whose fetches retry every few seconds
	// would otherwise collect every 2 s for nothing (1,000 fetches of a
	// dead host: 1.1 % of a core instead of 0.6 %).
	Worth = 4 << 20
)

// Idle decides when to trim. Activity is any counter that moves while
// work goes on (the engine's events); Tick is called with it about once a
// second.
type Idle struct {
	// Release returns the memory (nil: debug.FreeOSMemory).
	Release func()
	// Free is the heap that a trim could return (nil: Reclaimable).
	Free func() uint64
	// Every is the shortest time between two trims (0: the const Every).
	Every time.Duration
	// Worth is the free heap below which a trim waits (0: the const
	// Worth).
	Worth uint64

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
	// Ticks come about once a second, a few µs early or late: measured to
	// the tick, a second of quiet read 999.997 ms half the time and the
	// trim waited a second more.
	if !t.pending || now.Sub(t.changed) < Quiet-tickSlack || now.Sub(t.lastTrim) < cmp.Or(t.Every, Every)-tickSlack {
		return false
	}
	free := Reclaimable
	if t.Free != nil {
		free = t.Free
	}
	worth := cmp.Or(t.Worth, Worth)
	if free() < worth {
		// Not yet: the spell's garbage may still come (the window draws
		// what the spell changed after it), so the trim waits for it.
		// At most one trim per spell still: pending ends with it.
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

// Reclaimable is what a trim could give back: the Go heap that is free
// and still held, and the heap that objects made or kept since the last
// collection take up beyond what it found live (the garbage among them
// is only known once the next collection runs). The free heap alone
// missed start-up's garbage: the desktop app's last collection came
// 0.5 s into its start, no other ran for minutes, and 13 MB of dead
// start-up objects stayed in use while the free heap read below Worth.
func Reclaimable() uint64 {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
	}
	metrics.Read(s)
	for _, v := range s {
		if v.Value.Kind() != metrics.KindUint64 {
			return Worth // unknown: trim
		}
	}
	free, objects, live := s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()
	if objects > live {
		free += objects - live
	}
	return free
}

// Run ticks an Idle with release, trimming at most once per every, once a
// second until stop is closed.
func Run(stop <-chan struct{}, every time.Duration, activity func() uint64, release func()) {
	t := Idle{Release: release, Every: every}
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
