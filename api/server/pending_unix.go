//go:build unix

package server

import (
	"net"
	"syscall"
)

// pendingInput reports whether c has bytes the server has not read yet
// (a peek that neither waits nor consumes). Control, not Read: a Read
// waits for the lock of the server's own blocked Read on c.
func pendingInput(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	pending := false
	raw.Control(func(fd uintptr) {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		pending = err == nil && n > 0
	})
	return pending
}
