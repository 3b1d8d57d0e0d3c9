//go:build linux && cgo

package app

// #include <malloc.h>
import "C"

// trimC returns the C heap's free pages to the system (glibc's
// malloc_trim): the GL driver's freed buffers, shader compiler scratch.
func trimC() { C.malloc_trim(0) }
