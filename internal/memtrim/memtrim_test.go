package memtrim

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// A trim after start-up once activity is quiet, none while it keeps
// moving, one after the busy spell, never twice within Every, and the
// start-up spell's second one at StartupSpell.
func TestIdle(t *testing.T) {
	t.Parallel()
	var trims []int
	tr := Idle{Free: func() uint64 { return Worth }}
	at := time.Unix(1000, 0)
	n := 0
	tr.Release = func() { trims = append(trims, n) }
	activity := []uint64{1, 1, 1, 2, 3, 4, 5, 5, 5, 5}
	for n = 0; n < 40; n++ {
		a := uint64(5)
		if n < len(activity) {
			a = activity[n]
		}
		tr.Tick(at, a)
		at = at.Add(time.Second)
	}
	// 1: quiet for a second after start; 7: quiet after the spell (3..6);
	// 20: the start-up spell again; nothing else.
	want := []int{1, 7, 20}
	if len(trims) != len(want) {
		t.Fatalf("trims at %v, want %v", trims, want)
	}
	for i := range want {
		if trims[i] != want[i] {
			t.Fatalf("trims at %v, want %v", trims, want)
		}
	}
}

// A tick a few µs early still ends the quiet second: a ticker's jitter
// must not make every wait a second longer.
func TestIdleEarlyTick(t *testing.T) {
	t.Parallel()
	count := 0
	tr := Idle{Release: func() { count++ }, Free: func() uint64 { return Worth }}
	at := time.Unix(1000, 0)
	tr.Tick(at, 1)
	tr.Tick(at.Add(time.Second-5*time.Microsecond), 1)
	if count != 1 {
		t.Fatalf("%d trims a second (less 5 µs) after activity stopped, want 1", count)
	}
	// Work again; the next trim is due Every after the first, which the
	// tick that comes 5 µs before it still ends.
	at = at.Add(time.Second - 5*time.Microsecond)
	tr.Tick(at.Add(500*time.Millisecond), 2)
	tr.Tick(at.Add(Every-5*time.Microsecond), 2)
	if count != 2 {
		t.Fatalf("%d trims at Every (less 5 µs) after the first, want 2", count)
	}
}

// Mark makes a quiet process trim again.
func TestIdleMark(t *testing.T) {
	t.Parallel()
	count := 0
	tr := Idle{Release: func() { count++ }, Free: func() uint64 { return Worth }}
	at := time.Unix(1000, 0)
	for range 5 {
		tr.Tick(at, 0)
		at = at.Add(time.Second)
	}
	if count != 1 {
		t.Fatalf("%d trims after start-up, want 1", count)
	}
	tr.Mark()
	tr.Tick(at, 0)
	if count != 2 {
		t.Fatalf("%d trims after Mark, want 2", count)
	}
}

// No trim while the free heap is below Worth; the spell's trim comes
// once it is worth it (garbage made after the spell, as the window draws
// it), and only one.
func TestIdleNotWorth(t *testing.T) {
	t.Parallel()
	count := 0
	free := uint64(0)
	tr := Idle{Release: func() { count++ }, Free: func() uint64 { return free }}
	at := time.Unix(1000, 0)
	for range 5 {
		tr.Tick(at, 0)
		at = at.Add(time.Second)
	}
	if count != 0 {
		t.Fatalf("%d trims with nothing free, want 0", count)
	}
	free = Worth
	for range 5 {
		tr.Tick(at, 0)
		at = at.Add(time.Second)
	}
	if count != 1 {
		t.Fatalf("%d trims once the spell's garbage was worth one, want 1", count)
	}
	tr.Tick(at.Add(time.Second), 1)
	tr.Tick(at.Add(3*time.Second), 1)
	if count != 2 {
		t.Fatalf("%d trims after new work with %d B free, want 2", count, free)
	}
}

// Idle.Worth replaces the const: a trim comes once that much is free.
func TestIdleOwnWorth(t *testing.T) {
	t.Parallel()
	count := 0
	free := uint64(1 << 20)
	tr := Idle{Release: func() { count++ }, Free: func() uint64 { return free }, Worth: 2 << 20}
	at := time.Unix(1000, 0)
	tr.Tick(at, 1)
	tr.Tick(at.Add(time.Second), 1)
	if count != 0 {
		t.Fatalf("a trim with 1 MiB free, Worth 2 MiB")
	}
	free = 2 << 20
	tr.Tick(at.Add(2*time.Second), 1)
	if count != 1 {
		t.Fatalf("%d trims with 2 MiB free, Worth 2 MiB; want 1", count)
	}
}

// Reclaimable counts garbage made and collected (free heap) and garbage
// no collection has seen yet.
func TestReclaimable(t *testing.T) {
	var keep [][]byte
	for range 64 {
		keep = append(keep, make([]byte, 256<<10))
	}
	keep = nil
	runtime.GC()
	if f := Reclaimable(); f < 8<<20 {
		t.Fatalf("Reclaimable = %d B after 16 MiB were collected", f)
	}
	debug.FreeOSMemory()
	old := debug.SetGCPercent(-1) // no collection until the end
	defer debug.SetGCPercent(old)
	before := Reclaimable()
	for range 64 {
		keep = append(keep, make([]byte, 256<<10))
	}
	keep = nil
	if f := Reclaimable(); f < before+12<<20 {
		t.Fatalf("Reclaimable = %d B after 16 MiB of uncollected garbage (%d B before)", f, before)
	}
	_ = keep
}
