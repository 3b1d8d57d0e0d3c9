package backoff

import (
	"testing"
	"time"
)

func TestDelayDoublesUpToMax(t *testing.T) {
	t.Parallel()
	p := Policy{Min: time.Second, Max: 60 * time.Second}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60}
	for i, w := range want {
		if got := p.Delay(i + 1); got != w*time.Second {
			t.Fatalf("Delay(%d) = %v, want %v", i+1, got, w*time.Second)
		}
	}
}

func TestJitterStaysInUpperHalf(t *testing.T) {
	t.Parallel()
	p := Policy{Min: time.Second, Max: 8 * time.Second, Jitter: true}
	for failures := 1; failures <= 6; failures++ {
		full := Policy{Min: p.Min, Max: p.Max}.Delay(failures)
		for i := 0; i < 200; i++ {
			if d := p.Delay(failures); d < full/2 || d > full {
				t.Fatalf("Delay(%d) = %v, outside [%v, %v]", failures, d, full/2, full)
			}
		}
	}
}
