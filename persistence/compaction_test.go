package persistence

import (
	"testing"
	"time"
)

// The store runs no Badger compactors (compaction.go): a burst of writes
// far past the level-0 stall (8 memtables of 4 MiB) still completes, level
// 0 is merged down after it, and every value is there after a reopen.
// Without compactLoop the burst stalls for good once level 0 holds 8
// tables and the memtables queued behind them are full.
func TestCompactionAfterWrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openTemp(t, dir)
	const n = 16000 // 16,000 x 4 KB: 64 MB into the tree, 16 memtables
	doc := make([]byte, 4000)
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- s.UpdateMany(n, func(tx *Tx, i int) error { return tx.PutRecord("r_burst", i, doc) })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the writes stalled: level 0 %v after %v", levels(s), time.Since(start))
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if l0, deeper := s.levelZero(); l0 < levelZeroTables && deeper {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("level 0 not merged down: %v", levels(s))
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.Close()
	s = openTemp(t, dir)
	defer s.Close()
	s.View(func(tx *Tx) error {
		recs, err := tx.Records("r_burst")
		if err != nil || len(recs) != n {
			t.Fatalf("%d records after reopen, %v", len(recs), err)
		}
		return nil
	})
}

// levels is the table count of each level, for failure messages.
func levels(s *Store) []int {
	var out []int
	for _, l := range s.db.Levels() {
		out = append(out, l.NumTables)
	}
	return out
}
