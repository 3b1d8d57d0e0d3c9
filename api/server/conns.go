package server

import (
	"container/list"
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The API's connections are counted so that no client, with a token or
// without, can take the file descriptors the engine needs for its bodies,
// checkpoints and store (issue 14: 1,004 idle connections made checkpoints
// fail with EMFILE). A connection is unauthenticated until a request on it
// carries the token, and idle while it has sent nothing. When the
// unauthenticated ones reach their cap, the oldest idle one that is older
// than youngAge is closed to make room, so that a client that sends its
// request at once always gets in, even among thousands of connections that
// send nothing; without such a one (a burst of clients) the new one is let
// in beyond that cap. When all connections together reach theirs, the
// oldest idle unauthenticated one makes room, else the oldest that has
// sent for longer than slowAge without a token (slowloris); without one,
// the new connection is answered 503 and closed.

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
	sent    atomic.Bool   // the server has read a byte of it
	since   time.Time     // accepted
}

// Ages of an unauthenticated connection that make it the one to close.
const (
	youngAge = 250 * time.Millisecond // younger ones may not have sent yet
	slowAge  = time.Second            // a request takes milliseconds
)

func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.sent.Load() {
		c.sent.Store(true)
	}
	return n, err
}

// idle: the client has sent nothing, read or waiting to be read.
func (c *trackedConn) idle() bool { return !c.sent.Load() && !pendingInput(c.Conn) }

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
	now := time.Now()
	switch {
	case t.total >= t.limits.Total:
		if evict = t.oldestUnauthenticated(now, true, 0); evict == nil {
			evict = t.oldestUnauthenticated(now, false, slowAge)
		}
	case t.unauth.Len() >= t.limits.Unauthenticated:
		evict = t.oldestUnauthenticated(now, true, youngAge)
	}
	if evict != nil {
		t.forget(evict)
	}
	var tc *trackedConn
	if t.total < t.limits.Total {
		tc = &trackedConn{Conn: c, t: t, counted: true, since: now}
		tc.elem = t.unauth.PushBack(tc)
		t.total++
	}
	t.mu.Unlock()
	if evict != nil {
		evict.Conn.Close() // its server goroutine ends on the read error
	}
	return tc
}

// evictScan bounds how many connections admit looks at for an idle one.
const evictScan = 32

// oldestUnauthenticated is the oldest unauthenticated connection older
// than minAge, and idle when idleOnly, among the evictScan oldest; nil
// when there is none. t.mu held.
func (t *connTracker) oldestUnauthenticated(now time.Time, idleOnly bool, minAge time.Duration) *trackedConn {
	e := t.unauth.Front()
	for i := 0; e != nil && i < evictScan; i, e = i+1, e.Next() {
		c := e.Value.(*trackedConn)
		if now.Sub(c.since) < minAge {
			return nil // the rest are younger still
		}
		if !idleOnly || c.idle() {
			return c
		}
	}
	return nil
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
