package app

import (
	"runtime/debug"
	"time"
)

// idleTrim hands the memory a burst of work freed back to the system once
// the app is quiet. Go's collector keeps freed heap for reuse (up to the
// heap goal, GOGC) and returns it only slowly; a tray app spends most of
// its life idle, so after start-up and after each busy spell (fetches
// registered, transfers that ended), once the list has not changed for a
// second, it runs debug.FreeOSMemory (one collection, and the free pages
// go back) and glibc's malloc_trim (the same for the C heap of the GL
// driver). Never while the list keeps changing (transfers running), and
// at most once per trimEvery.
type idleTrim struct {
	version  uint64
	changed  time.Time // when the version last moved
	pending  bool      // work happened since the last trim
	lastTrim time.Time
	started  bool
}

const (
	trimQuiet = time.Second
	trimEvery = 5 * time.Second
)

// tick is called once a second with the window model's version.
func (t *idleTrim) tick(now time.Time, version uint64) bool {
	if !t.started || version != t.version {
		t.started, t.version, t.changed, t.pending = true, version, now, true
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
