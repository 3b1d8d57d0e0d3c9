package downloads

import "testing"

// TestCopyBufferFor: a stream alone gets the big buffer; more share
// copyBudget, never below grab's default.
func TestCopyBufferFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ running, want int }{
		{0, 256 << 10}, {1, 256 << 10}, {2, 128 << 10},
		{3, 85 << 10}, {4, 64 << 10}, {8, 32 << 10},
		{16, 32 << 10}, {100, 32 << 10},
	} {
		if got := copyBufferFor(c.running); got/1024 != c.want/1024 {
			t.Errorf("copyBufferFor(%d) = %d, want %d", c.running, got, c.want)
		}
	}
}
