package testproxy

import (
	"context"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Target is one destination a client asked a proxy for.
type Target struct {
	// Addr is host:port as the client sent it.
	Addr string
	// Domain: the client sent a host name (SOCKS5 address type 3, or any
	// HTTP proxy request with a name), not an IP address.
	Domain bool
	// Via is "connect" (HTTP CONNECT), "forward" (absolute-URI request)
	// or "socks5".
	Via string
}

// Stats are a proxy's counters, safe for concurrent use.
type Stats struct {
	// Conns is the number of client connections accepted.
	Conns atomic.Int64
	// Up is the bytes read from clients, Down the bytes written to them,
	// counted on the client connections (headers, proxy handshakes and
	// TLS records included).
	Up, Down atomic.Int64
	// AuthFailures counts requests refused for missing or wrong
	// credentials.
	AuthFailures atomic.Int64

	mu      sync.Mutex
	targets []Target
	open    map[net.Conn]struct{}
}

// track remembers c until untrack, so that the end of the test closes
// every connection still open.
func (s *Stats) track(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open == nil {
		s.open = map[net.Conn]struct{}{}
	}
	s.open[c] = struct{}{}
}

func (s *Stats) untrack(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
}

func (s *Stats) closeAll() {
	s.mu.Lock()
	open := make([]net.Conn, 0, len(s.open))
	for c := range s.open {
		open = append(open, c)
	}
	s.mu.Unlock()
	for _, c := range open {
		c.Close()
	}
}

func (s *Stats) record(t Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.targets = append(s.targets, t)
}

// Targets returns every target asked for so far, in order.
func (s *Stats) Targets() []Target {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Target(nil), s.targets...)
}

// Resolver dials targets for a proxy: names in Hosts map to their
// address (like /etc/hosts, inside the proxy only), others resolve as
// usual.
type Resolver struct {
	Hosts map[string]string
}

func (r Resolver) dial(ctx context.Context, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip, ok := r.Hosts[host]; ok {
		host = ip
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
}

// listen opens a loopback listener closed at the end of the test.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// pipe copies both ways until both sides have ended.
func pipe(client, target net.Conn) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		buf := make([]byte, 32<<10)
		for {
			k, err := src.Read(buf)
			if k > 0 {
				if _, werr := dst.Write(buf[:k]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		// Half-close so the other direction can finish its last bytes.
		if tc, ok := dst.(interface{ CloseWrite() error }); ok {
			tc.CloseWrite()
		} else {
			dst.Close()
		}
		done <- struct{}{}
	}
	go cp(target, client)
	go cp(client, target)
	<-done
	<-done
	client.Close()
	target.Close()
}

// countingListener counts and tracks the connections it accepts and the
// bytes that pass through them.
type countingListener struct {
	net.Listener
	s *Stats
}

func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.Conns.Add(1)
	cc := &countingConn{Conn: c, s: l.s}
	l.s.track(cc)
	return cc, nil
}

type countingConn struct {
	net.Conn
	s *Stats
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.s.Up.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.s.Down.Add(int64(n))
	return n, err
}

func (c *countingConn) CloseWrite() error {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		return tc.CloseWrite()
	}
	return c.Conn.Close()
}

func (c *countingConn) Close() error {
	c.s.untrack(c)
	return c.Conn.Close()
}

var discardLog = log.New(io.Discard, "", 0)
