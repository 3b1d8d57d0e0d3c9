package netwatch

import (
	"context"
	"testing"
	"time"
)

// The subscription is made and ended cleanly. (Run under Wine, whose IP
// Helper accepts the subscriptions but never reports a change, so the
// callback itself is not exercised here.)
func TestWatchSubscribes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := Watch(ctx, nil, Events{}); err != nil {
		t.Fatal(err)
	}
	cancel()
	time.Sleep(100 * time.Millisecond)
	kicksMu.Lock()
	n := len(kicks)
	kicksMu.Unlock()
	if n != 0 {
		t.Fatalf("%d subscriptions left after the context ended", n)
	}
}
