package client_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// BenchmarkGetFetch measures GET /v1/fetches/{id} through the Go client
// over the daemon's Unix socket with 1,000 active fetches, and reports the
// latency percentiles p50 and p99 in microseconds.
func BenchmarkGetFetch(b *testing.B) {
	dir := b.TempDir()
	startDaemon(b, dir)
	srv := testserver.New(b)
	c := newClient(b, dir, "")
	ctx := context.Background()
	const active = 1000
	for i := range active {
		if _, err := c.Fetch(ctx, model.FetchRequest{ID: fmt.Sprintf("f%d", i), Requests: model.GetRequests(srv.URL + fmt.Sprintf("/slow/%d", i))}); err != nil {
			b.Fatal(err)
		}
	}
	if ids, err := c.IDs(ctx); err != nil || len(ids) != active {
		b.Fatalf("%d active fetches (%v), want %d", len(ids), err, active)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		reg, err := c.Get(ctx, fmt.Sprintf("f%d", i%active))
		lat = append(lat, time.Since(start))
		if err != nil || reg == nil {
			b.Fatalf("get: %+v %v", reg, err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
