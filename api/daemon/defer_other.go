//go:build !linux

package daemon

import "net"

// tcpListenConfig: TCP_DEFER_ACCEPT is Linux's; elsewhere the API's
// connection caps alone keep idle connections in check.
func tcpListenConfig() net.ListenConfig { return net.ListenConfig{} }
