package persistence

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func openTemp(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A second process (or opener) on the same data dir gets a clear error.
func TestSecondOpenIsAlreadyRunning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openTemp(t, dir)
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrAlreadyRunning) {
		t.Fatalf("second Open = %v, want ErrAlreadyRunning", err)
	}
	s.Close()
	s2 := openTemp(t, dir) // released on Close
	s2.Close()
}

func TestRegistrationsRecordsCheckpointsSurviveReopen(t *testing.T) {
	t.Parallel()
	segmented := Checkpoint{Total: 100, ETag: `"s"`, Segments: []Segment{{0, 40, 50}, {50, 60, 100}}}
	dir := t.TempDir()
	s := openTemp(t, dir)
	err := s.Update(func(tx *Tx) error {
		for i := 0; i < 3; i++ {
			if err := tx.PutRecord("r_a", i, []byte(fmt.Sprintf("rec%d", i))); err != nil {
				return err
			}
		}
		if err := tx.PutCheckpoint("r_a", 1, Checkpoint{Offset: 42, Total: 100, ETag: `"e"`, LastModified: "Mon"}); err != nil {
			return err
		}
		if err := tx.PutCheckpoint("r_a", 2, segmented); err != nil {
			return err
		}
		return tx.PutRegistration("r_a", []byte("reg"))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openTemp(t, dir)
	defer s.Close()
	s.View(func(tx *Tx) error {
		recs, _ := tx.Records("r_a")
		if len(recs) != 3 || string(recs[2]) != "rec2" {
			t.Fatalf("records = %q", recs)
		}
		ck, _ := tx.Checkpoint("r_a", 1)
		if !reflect.DeepEqual(ck, Checkpoint{Offset: 42, Total: 100, ETag: `"e"`, LastModified: "Mon"}) {
			t.Fatalf("checkpoint = %+v", ck)
		}
		if ck, _ := tx.Checkpoint("r_a", 2); !reflect.DeepEqual(ck, segmented) || ck.Stored() != 40+10 {
			t.Fatalf("segmented checkpoint = %+v (stored %d)", ck, ck.Stored())
		}
		if ck, _ := tx.Checkpoint("r_a", 0); ck.Offset != 0 || ck.Total != -1 {
			t.Fatalf("missing checkpoint = %+v", ck)
		}
		return nil
	})
	if err := s.DeleteRegistration("r_a"); err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		if _, err := tx.Registration("r_a"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if recs, _ := tx.Records("r_a"); len(recs) != 0 {
			t.Fatalf("records left: %d", len(recs))
		}
		return nil
	})
}

// Concurrent appends become visible in sequence order, and a failed
// transaction hands its numbers out again.
func TestOutboxOrderAndRollback(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := openTemp(t, dir)
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Update(func(tx *Tx) error {
				_, err := tx.AppendOutbox(func(seq uint64) []byte { return []byte(fmt.Sprint(seq)) })
				return err
			})
		}()
	}
	wg.Wait()
	s.Update(func(tx *Tx) error {
		tx.AppendOutbox(func(uint64) []byte { return []byte("x") })
		return errors.New("rolled back")
	})
	var seqs []uint64
	s.View(func(tx *Tx) error {
		return tx.OutboxAfter(0, func(e OutboxEntry) bool {
			if string(e.Doc) != fmt.Sprint(e.Seq) {
				t.Fatalf("entry %d holds %q", e.Seq, e.Doc)
			}
			seqs = append(seqs, e.Seq)
			return true
		})
	})
	if len(seqs) != 50 || seqs[0] != 1 || seqs[49] != 50 || s.LastOutboxSeq() != 50 {
		t.Fatalf("seqs = %v, last %d", seqs, s.LastOutboxSeq())
	}
	s.Update(func(tx *Tx) error {
		for _, q := range seqs[:10] {
			tx.MarkDelivered(q)
		}
		n, err := tx.PruneOutbox(40)
		if n != 10 {
			t.Errorf("pruned %d, want 10", n)
		}
		return err
	})
	s.Update(func(tx *Tx) error {
		for _, q := range seqs[10:] {
			tx.MarkDelivered(q)
		}
		n, err := tx.PruneOutbox(50) // everything: the next number must still be 51
		if n != 40 {
			t.Errorf("pruned %d, want 40", n)
		}
		return err
	})
	s.Close()
	s = openTemp(t, dir)
	defer s.Close()
	if s.LastOutboxSeq() != 50 {
		t.Fatalf("after reopen last = %d", s.LastOutboxSeq())
	}
	s.Update(func(tx *Tx) error {
		seq, _ := tx.AppendOutbox(func(uint64) []byte { return nil })
		if seq != 51 {
			t.Fatalf("next seq after reopen = %d", seq)
		}
		return nil
	})
}

// Writes larger than one Badger transaction are split, never refused.
func TestUpdateManySplitsLargeWrites(t *testing.T) {
	t.Parallel()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	doc := make([]byte, 2000) // 20,000 x 2 KB: far past one transaction
	if err := s.UpdateMany(20000, func(tx *Tx, i int) error { return tx.PutRecord("r_big", i, doc) }); err != nil {
		t.Fatal(err)
	}
	s.Update(func(tx *Tx) error { return tx.PutRegistration("r_big", []byte("{}")) })
	s.View(func(tx *Tx) error {
		recs, err := tx.Records("r_big")
		if err != nil || len(recs) != 20000 {
			t.Fatalf("%d records, %v", len(recs), err)
		}
		return nil
	})
	if err := s.DeleteRegistration("r_big"); err != nil {
		t.Fatal(err)
	}
	s.View(func(tx *Tx) error {
		if recs, _ := tx.Records("r_big"); len(recs) != 0 {
			t.Fatalf("%d records left", len(recs))
		}
		return nil
	})
}

// A value over the store's limit is refused with a short reason: Badger's
// own error carries a hex dump of the value (a record's request headers,
// an Authorization token among them), which reached the daemon's log and
// a 500 answer (issue 14).
func TestValueTooLargeHoldsNoDump(t *testing.T) {
	t.Parallel()
	s := openTemp(t, t.TempDir())
	defer s.Close()
	doc := []byte(`{"request":{"headers":{"Authorization":"Bearer abuse-SECRET-123"}},"body":"`)
	doc = append(doc, make([]byte, 20<<20)...)
	err := s.Update(func(tx *Tx) error { return tx.PutRecord("r_big", 0, doc) })
	if !errors.Is(err, ErrValueTooLarge) {
		t.Fatalf("err = %v, want ErrValueTooLarge", err)
	}
	if msg := err.Error(); strings.Contains(msg, "SECRET") || strings.Contains(msg, "Bearer") || strings.Contains(msg, "7b 22") || len(msg) > 200 {
		t.Fatalf("the error carries the value: %.300q", msg)
	}
	// The largest value that is allowed is stored.
	err = s.Update(func(tx *Tx) error { return tx.PutRecord("r_big", 1, make([]byte, MaxValueBytes)) })
	if err != nil {
		t.Fatalf("a value of MaxValueBytes: %v", err)
	}
}
