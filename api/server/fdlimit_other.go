//go:build !unix

package server

// fileLimit: Windows has no per-process descriptor limit for sockets that
// a client could reach; the caps are those of 8,192.
func fileLimit() int { return 8192 }
