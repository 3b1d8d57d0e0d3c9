// Package backoff is the one capped exponential backoff of bgfetch, used
// by transfers waiting for the network and by handler delivery.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Policy is capped exponential backoff: Min after the first failure,
// doubling per failure up to Max.
type Policy struct {
	Min, Max time.Duration
	// Jitter draws each delay from [d/2, d] (full jitter on the upper
	// half), so that many waiters do not retry in step.
	Jitter bool
}

// Delay is the wait after the failures-th failure in a row (from 1).
func (p Policy) Delay(failures int) time.Duration {
	d := p.Min
	for i := 1; i < failures && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	if p.Jitter && d > 1 {
		d = d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
	}
	return d
}
