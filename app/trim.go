package app

import "runtime/debug"

// releaseMemory is the desktop app's trim (internal/memtrim decides when):
// Go's free heap, then the C heap's (the GL driver's freed buffers and
// shader compiler scratch, trimC).
func releaseMemory() {
	debug.FreeOSMemory()
	trimC()
}
