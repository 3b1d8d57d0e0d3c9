package server

import (
	"container/list"
	"context"
	"io"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// Request bodies cost at most about their size, once: a body is read into
// one buffer of its announced length (a body over the limit is refused
// from its Content-Length before a byte is read), decoded from there, and
// the bodies being read and decoded at once share BodyBudget bytes; a
// body waits for its share (up to BodyWait, then 503). Eight 60 MB bodies
// at once took the daemon to 1,164 MB before (issue 14).

// smallBody is what a body may be without waiting for the budget.
const smallBody = 256 << 10

// busyError answers a body that waited BodyWait for its share (503).
type busyError struct{}

func (busyError) Error() string {
	return "bgfetch is reading other large request bodies; try again"
}

// bodyBudget is a weighted semaphore of body bytes, first come first
// served.
type bodyBudget struct {
	mu       sync.Mutex
	free     int64
	waiters  list.List // of *bodyWaiter
	lastFree time.Time // of the last debug.FreeOSMemory
}

type bodyWaiter struct {
	n     int64
	ready chan struct{}
}

func newBodyBudget(n int64) *bodyBudget { return &bodyBudget{free: n} }

func (b *bodyBudget) acquire(ctx context.Context, n int64) error {
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.free >= n {
		b.free -= n
		b.mu.Unlock()
		return nil
	}
	w := &bodyWaiter{n: n, ready: make(chan struct{})}
	e := b.waiters.PushBack(w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready: // granted meanwhile: give it back
			b.mu.Unlock()
			b.release(n)
		default:
			b.waiters.Remove(e)
			b.grant()
			b.mu.Unlock()
		}
		return busyError{}
	}
}

// release gives n bytes back. Once large bodies are done and none is
// being read, the memory they took goes back to the system at once
// rather than minutes later.
func (b *bodyBudget) release(n int64) {
	b.mu.Lock()
	b.free += n
	b.grant()
	idle := b.waiters.Len() == 0 && b.free == BodyBudget
	freeNow := idle && n >= 8<<20 && time.Since(b.lastFree) > time.Second
	if freeNow {
		b.lastFree = time.Now()
	}
	b.mu.Unlock()
	if freeNow {
		go debug.FreeOSMemory()
	}
}

// grant wakes the waiters at the front that now fit. b.mu held.
func (b *bodyBudget) grant() {
	for e := b.waiters.Front(); e != nil; e = b.waiters.Front() {
		w := e.Value.(*bodyWaiter)
		if w.n > b.free {
			return
		}
		b.free -= w.n
		b.waiters.Remove(e)
		close(w.ready)
	}
}

// readBody reads r's body of at most limit bytes within the budget. The
// caller calls release once it no longer holds what it decoded from it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64) (data []byte, release func(), err error) {
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close") // the body is not read
		return nil, nil, &http.MaxBytesError{Limit: limit}
	}
	n := r.ContentLength
	if n < 0 {
		n = limit // not announced: it may be that long
	}
	release = func() {}
	if n > smallBody {
		ctx, cancel := context.WithTimeout(r.Context(), BodyWait)
		err := s.bodies.acquire(ctx, n)
		cancel()
		if err != nil {
			return nil, nil, err
		}
		release = func() { s.bodies.release(n) }
	}
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(BodyReadTimeout))
	defer rc.SetReadDeadline(time.Time{})
	data, err = readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength)
	if err != nil {
		release()
		return nil, nil, err
	}
	return data, release, nil
}

// drainRefused reads and forgets up to limit more bytes of a body refused
// as too large, after its 413 went out: a client that writes its whole
// body before it reads the answer (Node's http does) then sees the 413
// rather than a reset. It costs no memory and at most BodyReadTimeout.
func drainRefused(w http.ResponseWriter, r *http.Request, limit int64) {
	rc := http.NewResponseController(w)
	rc.Flush()
	rc.SetReadDeadline(time.Now().Add(BodyReadTimeout))
	io.CopyN(io.Discard, r.Body, limit)
}

// readAll reads r into one buffer of size bytes when the size is known,
// else in pieces joined once at the end: a body of unknown length costs
// its size (twice, briefly), not the doublings of a growing buffer, and
// one over the limit is never joined (a chunked 1 GiB body took 188 MiB).
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return readPieces(r)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.ErrUnexpectedEOF || err == io.EOF {
			return nil, model.TypeErrorf("the body ended before its Content-Length of %d bytes", size)
		}
		return nil, err
	}
	return buf, nil
}

func readPieces(r io.Reader) ([]byte, error) {
	var pieces [][]byte
	total, next := 0, 64<<10
	for {
		buf := make([]byte, next)
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			pieces = append(pieces, buf[:n])
			total += n
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		next = min(2*next, 4<<20)
	}
	if len(pieces) == 1 {
		return pieces[0], nil
	}
	out := make([]byte, 0, total)
	for _, p := range pieces {
		out = append(out, p...)
	}
	return out, nil
}
