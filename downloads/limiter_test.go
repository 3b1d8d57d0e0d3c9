package downloads

import (
	"context"
	"testing"
	"time"
)

// The limiter never lets more than its rate through (+10 % over 1.5 s,
// its burst), however large the reads, and follows a new rate at once.
// Below the rate the bound is loose (-25 %): a sleeper that wakes late on a
// loaded machine (-race, parallel tests) lowers it without the limiter's
// fault (3.56 MB/s of 4 MiB/s seen once in CI-like runs); the accuracy on
// a real transfer is make bench's (rows 9a, 9b: ±5 % over 20 s).
func TestLimiterRate(t *testing.T) {
	t.Parallel()
	l := newLimiter(4 << 20)
	ctx := context.Background()
	measure := func(d time.Duration, chunk int) float64 {
		start, n := time.Now(), 0
		for time.Since(start) < d {
			if err := l.WaitN(ctx, chunk); err != nil {
				t.Fatal(err)
			}
			n += chunk
		}
		return float64(n) / time.Since(start).Seconds()
	}
	for _, chunk := range []int{16 << 10, 256 << 10} {
		if got := measure(1500*time.Millisecond, chunk); got < 0.75*(4<<20) || got > 1.1*(4<<20) {
			t.Errorf("chunks of %d: %.0f B/s, want 4 MiB/s (-25 %%, +10 %%)", chunk, got)
		}
	}
	l.SetRate(1 << 20)
	if got := measure(1500*time.Millisecond, 64<<10); got < 0.75*(1<<20) || got > 1.15*(1<<20) {
		t.Errorf("after SetRate: %.0f B/s, want 1 MiB/s", got)
	}
	l.SetRate(0)
	start := time.Now()
	for i := 0; i < 1000; i++ {
		l.WaitN(ctx, 1<<20)
	}
	// Limited to 1 MiB/s these would wait 1,000 s; lifted, not at all. The
	// bound is the machine's slowness, not a target.
	if time.Since(start) > time.Second {
		t.Errorf("no limit still waited %s", time.Since(start))
	}
}

// Lifting the limit wakes a sleeper within the 1 s in which a change
// applies (issue 13) rather than after its 100 s of debt, and a cancelled
// context ends the wait.
func TestLimiterWakesAndCancels(t *testing.T) {
	t.Parallel()
	l := newLimiter(1000)
	done := make(chan time.Duration)
	go func() {
		start := time.Now()
		l.WaitN(context.Background(), 100000) // 100 s of debt
		done <- time.Since(start)
	}()
	time.Sleep(50 * time.Millisecond)
	l.SetRate(0)
	if d := <-done; d > time.Second {
		t.Fatalf("the sleeper woke after %s", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	l.SetRate(1000)
	if err := l.WaitN(ctx, 100000); err == nil {
		t.Fatal("WaitN outlived its context")
	}
}
