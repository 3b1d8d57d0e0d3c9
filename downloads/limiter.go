package downloads

import (
	"context"
	"sync"
	"time"
)

// A limiter caps a byte rate (a fetch's maxBytesPerSecond, or the global
// limit of the settings and schedule). It is a token bucket that may go
// into debt: WaitN takes n tokens at once and sleeps off any debt, so a
// large read is paid for after it happened and the average stays exact.
// The bucket holds at most a tenth of a second of bytes, so an idle
// transfer cannot burst. The rate may change at any time; a sleeper looks
// at it again at least every 100 ms, so a new rate applies within that.
type limiter struct {
	mu     sync.Mutex
	rate   float64 // bytes a second; 0: no limit
	tokens float64
	last   time.Time
	now    func() time.Time
}

func newLimiter(rate int64) *limiter {
	l := &limiter{now: time.Now}
	l.SetRate(rate)
	return l
}

// SetRate changes the rate (0: no limit).
func (l *limiter) SetRate(rate int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill()
	l.rate = float64(max(rate, 0))
	if l.tokens > l.rate/10 {
		l.tokens = l.rate / 10
	}
}

// Rate is the current rate (0: no limit).
func (l *limiter) Rate() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int64(l.rate)
}

// refill adds the tokens earned since last. l.mu held.
func (l *limiter) refill() {
	now := l.now()
	if !l.last.IsZero() {
		l.tokens = min(l.tokens+now.Sub(l.last).Seconds()*l.rate, l.rate/10)
	}
	l.last = now
}

// WaitN pays for n bytes, sleeping while the bucket is in debt; it
// returns early with ctx's error.
func (l *limiter) WaitN(ctx context.Context, n int) error {
	l.mu.Lock()
	if l.rate == 0 {
		l.mu.Unlock()
		return nil
	}
	l.refill()
	l.tokens -= float64(n)
	l.mu.Unlock()
	for {
		l.mu.Lock()
		l.refill()
		debt, rate := -l.tokens, l.rate
		if rate == 0 {
			l.tokens = 0 // the limit was lifted: forget the debt
		}
		l.mu.Unlock()
		if debt <= 0 || rate == 0 {
			return nil
		}
		wait := min(time.Duration(debt/rate*float64(time.Second)), 100*time.Millisecond)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// limiters are the limits one transfer obeys, in turn: its fetch's and the
// global one. It is grab's RateLimiter too.
type limiters []*limiter

func (ls limiters) WaitN(ctx context.Context, n int) error {
	for _, l := range ls {
		if err := l.WaitN(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// lowest is the lowest rate of ls (0: none limits).
func (ls limiters) lowest() int64 {
	var low int64
	for _, l := range ls {
		if r := l.Rate(); r > 0 && (low == 0 || r < low) {
			low = r
		}
	}
	return low
}

// chunk is the read size that keeps a limited transfer smooth: a
// twentieth of a second at the lowest rate, between 4 KiB and
// maxCopyBuffer.
func (ls limiters) chunk() int {
	size := maxCopyBuffer
	for _, l := range ls {
		if r := l.Rate(); r > 0 {
			size = min(size, int(r/20))
		}
	}
	return max(size, 4<<10)
}
