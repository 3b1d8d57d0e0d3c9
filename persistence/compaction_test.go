package persistence

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"
)

// The store runs no Badger compactors (compaction.go): a burst of writes
// far past the level-0 stall (8 memtables of 4 MiB) still completes, level
// 0 is merged down after it, and every value is there after a reopen.
// Without compactLoop level 0 stays at 16 tables.
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
	waitLevelZero(t, s, "level 0 not merged down", func(l0 int, deeper bool) bool { return l0 < levelZeroTables && deeper })
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

// crashEnv makes the test binary a store that writes and dies without
// closing (TestOpenAfterCrashLoop).
const crashEnv = "BGFETCH_TEST_STORE_CRASH"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		s, err := Open(dir, Options{GCInterval: -1})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := s.Update(func(tx *Tx) error { return tx.PutRegistration("r_crash", []byte("{}")) }); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		// No Close: the memtable stays in its log, as after SIGKILL.
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// A store killed again and again right after a write (make faults kills
// the daemon 40 times after a 201) leaves a memtable each time, which the
// next Open flushes to level 0 before any compaction can run; with
// Badger's stall at 8 tables the 12th start hung in Open. Exiting at once
// also kills Badger while it deletes a flushed memtable's log, which left
// an empty log the next Open failed on (removeEmptyMemtableLogs). Each
// child process opens, writes and exits without closing; every Open must
// succeed, and level 0 is merged down soon after.
func TestOpenAfterCrashLoop(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, self, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		hung := ctx.Err() != nil
		cancel()
		if hung {
			t.Fatalf("start %d hung in Open", i+1)
		}
		if code := cmd.ProcessState.ExitCode(); code != 1 {
			t.Fatalf("start %d: exit %d (%v): %s", i+1, code, err, out)
		}
	}
	s := openTemp(t, dir)
	defer s.Close()
	waitLevelZero(t, s, "level 0 not merged down after the crashes", func(l0 int, _ bool) bool { return l0 < levelZeroTables })
}

// waitLevelZero waits up to 15 s for merged(level 0's tables, whether a
// deeper level holds data), failing with what.
func waitLevelZero(t *testing.T, s *Store, what string, merged func(l0 int, deeper bool) bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !merged(s.levelZero()) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, levels(s))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
