//go:build !unix

package daemon

import (
	"fmt"
	"net"
	"os"
)

// listenUnix: where sockets cannot be linked, a stale one is removed and
// the socket bound at path, then made 0600.
func listenUnix(path string, stale bool) (net.Listener, error) {
	if stale {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, fmt.Errorf("restrict socket mode: %w", err)
	}
	return l, nil
}
