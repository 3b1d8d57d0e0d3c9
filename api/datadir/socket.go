package datadir

import (
	"os"
	"path/filepath"
)

// DefaultSocketPath is where the daemon of dir listens when no --listen is
// given: $XDG_RUNTIME_DIR/bgfetch/api.sock for the default data directory
// (when that variable is set), else dir/api.sock, so that daemons on
// different data directories never share a socket.
func DefaultSocketPath(dir string) string {
	if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) && IsDefault(dir) {
		return filepath.Join(rt, "bgfetch", SocketFile)
	}
	return filepath.Join(dir, SocketFile)
}
