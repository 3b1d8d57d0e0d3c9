package app

import (
	"testing"
	"time"
)

// TestIdleTrim: a trim after start-up once the list is quiet, none while
// it keeps changing, one after the busy spell, never twice in trimEvery.
func TestIdleTrim(t *testing.T) {
	var tr idleTrim
	at := time.Unix(1000, 0)
	step := func(v uint64) bool { at = at.Add(time.Second); return tr.tick(at, v) }
	var got []bool
	for _, v := range []uint64{1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5} {
		got = append(got, step(v))
	}
	want := []bool{false, true, false, false, false, false, false, true, false, false, false, false, false, false, false, false, false, false, false, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tick %d: trim %v, want %v (all %v)", i, got[i], want[i], got)
		}
	}
}
