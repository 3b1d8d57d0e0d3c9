package daemon

import (
	"net"
	"syscall"
)

// deferAcceptSeconds: a TCP connection reaches accept only once its first
// bytes arrived, or after this long. Connections that never send (issue
// 14: thousands of them held the daemon's file descriptors) then wait in
// the kernel, not in the daemon; a client that sends its request at once
// is accepted at once.
const deferAcceptSeconds = 5

// tcpListenConfig listens with TCP_DEFER_ACCEPT.
func tcpListenConfig() net.ListenConfig {
	return net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT, deferAcceptSeconds)
		})
		if err != nil {
			return err
		}
		return serr
	}}
}
