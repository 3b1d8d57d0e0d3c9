// Package memtrim hands the memory a busy spell freed back to the system
// once the process is quiet. Go's collector keeps freed heap for reuse (up
// to the heap goal) and returns it only slowly; bgfetch spends most of its
// life idle, so a daemon that once loaded a long history or ran a burst of
// transfers would otherwise keep that peak for minutes.
//
// Idle decides when (after start-up, after each busy spell, never while
// work goes on, never when little is free); Run ticks it once a second.
// The headless daemon runs it with debug.FreeOSMemory at most every
// DaemonEvery (each trim is a full collection: fetches retrying every few
// seconds must not pay one each time), the desktop app every 2 s with
// glibc's malloc_trim too.
package memtrim
