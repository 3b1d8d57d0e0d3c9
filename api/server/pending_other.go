//go:build !unix

package server

import "net"

// pendingInput: where a socket cannot be peeked at, only what the server
// read counts as sent.
func pendingInput(net.Conn) bool { return false }
