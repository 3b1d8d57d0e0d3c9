package server

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// The API's connections are counted so that no client, with a token or
// without, can take the file descriptors the engine needs for its bodies,
// checkpoints and store (issue 14: 1,004 idle connections made checkpoints
// fail with EMFILE). A connection is unauthenticated until a request on it
// carries the token. When the unauthenticated ones reach their cap, the
// oldest of them is closed to make room, so that a client that sends its
// token at once always gets in; when all connections together reach
// theirs, a new one is answered 503 and closed at once.

// ConnLimits are the caps on the API's open connections.
type ConnLimits struct {
	Total           int // every connection of the API
	Unauthenticated int // those that have not sent the token yet
}

// connTracker enforces ConnLimits on the connections of one listener.
type connTracker struct {
	limits ConnLimits
	mu     sync.Mutex
	total  int
	unauth *list.List // of *trackedConn, oldest first
}

// trackedConn is one counted connection. Its fields are guarded by t.mu.
type trackedConn struct {
	net.Conn
	t       *connTracker
	elem    *list.Element // in t.unauth; nil once authenticated
	counted bool          // in t.total
}

func (c *trackedConn) Close() error {
	c.t.release(c)
	return c.Conn.Close()
}

// limitListener counts every connection it accepts.
type limitListener struct {
	net.Listener
	t *connTracker
}

func newLimitListener(l net.Listener, limits ConnLimits) *limitListener {
	return &limitListener{Listener: l, t: &connTracker{limits: limits, unauth: list.New()}}
}

// busyAnswer is what a connection over the total cap gets.
const busyAnswer = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json\r\nRetry-After: 1\r\nContent-Length: 110\r\n\r\n" +
	`{"error":{"name":"UnknownError","message":"bgfetch has as many API connections open as it allows; try again"}}` + "\n"

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if tc := l.t.admit(c); tc != nil {
			return tc, nil
		}
		c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		c.Write([]byte(busyAnswer))
		c.Close()
	}
}

// admit counts c, closing the oldest unauthenticated connection to make
// room when needed; nil when c cannot be admitted.
func (t *connTracker) admit(c net.Conn) *trackedConn {
	var evict *trackedConn
	t.mu.Lock()
	if t.unauth.Len() >= t.limits.Unauthenticated || t.total >= t.limits.Total {
		if front := t.unauth.Front(); front != nil {
			evict = front.Value.(*trackedConn)
			t.forget(evict)
		}
	}
	var tc *trackedConn
	if t.total < t.limits.Total {
		tc = &trackedConn{Conn: c, t: t, counted: true}
		tc.elem = t.unauth.PushBack(tc)
		t.total++
	}
	t.mu.Unlock()
	if evict != nil {
		evict.Conn.Close() // its server goroutine ends on the read error
	}
	return tc
}

// forget uncounts c. t.mu held.
func (t *connTracker) forget(c *trackedConn) {
	if c.elem != nil {
		t.unauth.Remove(c.elem)
		c.elem = nil
	}
	if c.counted {
		c.counted = false
		t.total--
	}
}

// authenticated moves c out of the unauthenticated connections.
func (t *connTracker) authenticated(c *trackedConn) {
	t.mu.Lock()
	if c.elem != nil {
		t.unauth.Remove(c.elem)
		c.elem = nil
	}
	t.mu.Unlock()
}

func (t *connTracker) release(c *trackedConn) {
	t.mu.Lock()
	t.forget(c)
	t.mu.Unlock()
}

// counts is the number of connections open and unauthenticated (tests).
func (t *connTracker) counts() (total, unauth int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total, t.unauth.Len()
}

type connKey struct{}

// withConn puts the tracked connection in the request contexts of c
// (http.Server.ConnContext).
func withConn(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*trackedConn); ok {
		return context.WithValue(ctx, connKey{}, tc)
	}
	return ctx
}

// markAuthenticated notes that r's connection has sent the token.
func markAuthenticated(r *http.Request) {
	if tc, ok := r.Context().Value(connKey{}).(*trackedConn); ok {
		tc.t.authenticated(tc)
	}
}
