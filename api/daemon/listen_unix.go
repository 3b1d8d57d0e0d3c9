//go:build unix

package daemon

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// listenUnix binds the socket in a new private directory (mode 0700)
// beside path, makes it 0600 there, and only then gives it its name with
// a hard link, which never replaces anything (a stale socket, checked by
// staleSocket, is removed just before). So the socket never exists at
// path with the default mode, as it did between bind and chmod.
func listenUnix(path string, stale bool) (net.Listener, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), ".bgfetch-sock-")
	if err != nil {
		return nil, fmt.Errorf("create a private directory for the socket: %w", err)
	}
	defer os.RemoveAll(tmp)
	bound := filepath.Join(tmp, "s")
	l, err := net.Listen("unix", bound)
	if err != nil {
		return nil, err
	}
	ul := l.(*net.UnixListener)
	ul.SetUnlinkOnClose(false)
	fail := func(err error) (net.Listener, error) { ul.Close(); return nil, err }
	if err := os.Chmod(bound, 0o600); err != nil {
		return fail(fmt.Errorf("restrict socket mode: %w", err))
	}
	if stale {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return fail(fmt.Errorf("remove stale socket: %w", err))
		}
	}
	if err := os.Link(bound, path); err != nil {
		return fail(fmt.Errorf("name the socket %s: %w", path, err))
	}
	fi, err := os.Lstat(path)
	if err != nil {
		return fail(err)
	}
	return &unixListener{UnixListener: ul, path: path, file: fi}, nil
}

// unixListener removes its socket file on Close, unless another daemon
// has put its own there since.
type unixListener struct {
	*net.UnixListener
	path string
	file os.FileInfo
	once sync.Once
}

func (l *unixListener) Close() error {
	err := l.UnixListener.Close()
	l.once.Do(func() {
		if fi, serr := os.Lstat(l.path); serr == nil && os.SameFile(fi, l.file) {
			os.Remove(l.path)
		}
	})
	return err
}
