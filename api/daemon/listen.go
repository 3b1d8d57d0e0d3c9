package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/bgfetch/bgfetch/api/datadir"
)

// maxSocketPath is the portable limit of a Unix socket path (sun_path).
const maxSocketPath = 104

// ListenAddr is a parsed --listen value.
type ListenAddr struct {
	Network string // "unix" or "tcp"
	Address string // socket path, or host:port
}

// ParseListen parses --listen: `unix:/path/api.sock`, or
// `tcp:127.0.0.1:PORT` (also `tcp:[::1]:PORT`, `tcp:localhost:PORT`; port
// 0 picks a free one). Empty means the default socket of dataDir. Only
// loopback TCP addresses are accepted.
func ParseListen(value, dataDir string) (ListenAddr, error) {
	if value == "" {
		if runtime.GOOS == "windows" {
			value = "tcp:127.0.0.1:0"
		} else {
			value = "unix:" + datadir.DefaultSocketPath(dataDir)
		}
	}
	network, addr, ok := strings.Cut(value, ":")
	if !ok {
		return ListenAddr{}, fmt.Errorf("--listen %q: use unix:/path/api.sock or tcp:127.0.0.1:PORT", value)
	}
	switch network {
	case "unix":
		if addr == "" {
			return ListenAddr{}, fmt.Errorf("--listen %q: the socket path is missing", value)
		}
		abs, err := filepath.Abs(addr)
		if err != nil {
			return ListenAddr{}, err
		}
		if len(abs) >= maxSocketPath {
			return ListenAddr{}, fmt.Errorf("socket path %s is %d bytes; Unix sockets allow fewer than %d: choose a shorter --listen unix:PATH", abs, len(abs), maxSocketPath)
		}
		return ListenAddr{Network: "unix", Address: abs}, nil
	case "tcp":
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return ListenAddr{}, fmt.Errorf("--listen %q: %v", value, err)
		}
		if strings.EqualFold(host, "localhost") {
			host = "127.0.0.1"
		}
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return ListenAddr{}, fmt.Errorf("refusing to listen on %q: only loopback addresses (127.0.0.1, ::1) are allowed, so that nothing outside this machine can reach bgfetch", addr)
		}
		return ListenAddr{Network: "tcp", Address: net.JoinHostPort(host, port)}, nil
	}
	return ListenAddr{}, fmt.Errorf("--listen %q: use unix:/path/api.sock or tcp:127.0.0.1:PORT", value)
}

// listen opens the listener and returns the endpoint line clients read.
// A Unix socket gets mode 0600 from the moment it exists (listenUnix), in
// a directory of mode 0700 that is created if needed; a stale socket file
// left by a crash is replaced, a live one is an error, and anything at the
// path that is not a socket is never touched.
func listen(a ListenAddr) (net.Listener, string, error) {
	if a.Network == "tcp" {
		lc := tcpListenConfig()
		l, err := lc.Listen(context.Background(), "tcp", a.Address)
		if err != nil {
			return nil, "", err
		}
		return l, "http://" + l.Addr().String(), nil
	}
	if err := os.MkdirAll(filepath.Dir(a.Address), 0o700); err != nil {
		return nil, "", fmt.Errorf("create socket directory: %w", err)
	}
	stale, err := staleSocket(a.Address)
	if err != nil {
		return nil, "", err
	}
	l, err := listenUnix(a.Address, stale)
	if err != nil {
		return nil, "", err
	}
	return l, "unix:" + a.Address, nil
}

// staleSocket reports whether path holds a socket nobody answers on (to
// be replaced); false when nothing is there. A live socket, or anything
// that is not a socket (a user's file, a directory), is an error.
func staleSocket(path string) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if fi.Mode().Type() != os.ModeSocket {
		return false, fmt.Errorf("%s exists and is not a socket (%s); bgfetch replaces only a socket of its own: remove it or choose another --listen unix:PATH", path, fi.Mode().Type())
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return false, fmt.Errorf("socket %s is in use by another process", path)
	}
	return true, nil
}
