package app

import (
	"runtime/debug"
	"time"
)

// idleTrim hands the memory a burst of work freed back to the system once
// the app is quiet. Go's collector keeps freed heap for reuse (up to the
// heap goal, GOGC) and returns it only slowly; a tray app spends most of
// its life idle, so after start-up and after each busy spell (fetches
// registered, transfers that ended), after a quiet second, it runs
// debug.FreeOSMemory (one collection, and the free pages go back) and
// glibc's malloc_trim (the same for the C heap of the GL driver). Busy
// means the engine sent events (progress, state); a quiet second is one
// without any. Never while transfers run, and at most once per trimEvery.
type idleTrim struct {
	events   uint64    // the engine's events counted so far
	changed  time.Time // when the count last moved
	pending  bool      // work happened since the last trim
	lastTrim time.Time
	started  bool
}

const (
	trimQuiet = time.Second
	trimEvery = 2 * time.Second
)

// tick is called once a second with the number of engine events so far.
func (t *idleTrim) tick(now time.Time, events uint64) bool {
	if !t.started || events != t.events {
		t.started, t.events, t.changed, t.pending = true, events, now, true
		return false
	}
	if !t.pending || now.Sub(t.changed) < trimQuiet || now.Sub(t.lastTrim) < trimEvery {
		return false
	}
	t.pending, t.lastTrim = false, now
	debug.FreeOSMemory()
	trimC()
	return true
}
