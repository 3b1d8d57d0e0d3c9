package testserver

import (
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// PatternAt reads Pattern(size) at any offset without holding it: the
// content of /gen/, for bodies of any size.
type PatternAt int64

// patternByte is byte j of every pattern: it depends on the whole offset
// (no short period), so bytes stored at the wrong offset never match.
func patternByte(j int64) byte {
	return byte(uint64(j)*0x9E3779B97F4A7C15>>56) ^ byte(j>>20)
}

func (p PatternAt) ReadAt(b []byte, off int64) (int, error) {
	size := int64(p)
	if off >= size {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), size-off))
	for i := 0; i < n; i++ {
		b[i] = patternByte(off + int64(i))
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

func patternReader(size int64) io.ReadSeeker { return io.NewSectionReader(PatternAt(size), 0, size) }

// countingWriter counts the body bytes written.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// faultyWriter cuts the connection after left bytes (left < 0: never),
// sleeps throttle after each 16 KiB, and holds the average rate to at
// most rate bytes a second (0: no cap).
type faultyWriter struct {
	http.ResponseWriter
	left     int64
	throttle time.Duration
	rate     int64
	start    time.Time
	sent     int64
	done     <-chan struct{}
}

func (f *faultyWriter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

func (f *faultyWriter) Write(p []byte) (int, error) {
	rc := http.NewResponseController(f.ResponseWriter)
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), 16<<10)]
		if f.left >= 0 && int64(len(chunk)) > f.left {
			chunk = chunk[:f.left]
		}
		n, err := f.ResponseWriter.Write(chunk)
		written += n
		f.sent += int64(n)
		if f.left >= 0 {
			f.left -= int64(n)
		}
		if err != nil {
			return written, err
		}
		p = p[n:]
		if f.left == 0 {
			rc.Flush()
			if conn, _, err := rc.Hijack(); err == nil {
				conn.Close()
			}
			return written, net.ErrClosed
		}
		if f.throttle > 0 {
			rc.Flush()
			time.Sleep(f.throttle)
		}
		if f.rate > 0 {
			if ahead := time.Duration(float64(f.sent)/float64(f.rate)*float64(time.Second)) - time.Since(f.start); ahead > 0 {
				rc.Flush()
				select {
				case <-time.After(ahead):
				case <-f.done:
					return written, net.ErrClosed
				}
			}
		}
	}
	return written, nil
}
