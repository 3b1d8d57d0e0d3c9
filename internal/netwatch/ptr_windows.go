package netwatch

import "unsafe"

// ptr passes an integer key where the API takes an opaque PVOID context.
// The value is never dereferenced (by us or by Windows), so it is not a
// Go pointer the collector must know about.
func ptr(key uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&key))
}
