//go:build linux

package persistence

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"testing"
)

// rssKiB reads the resident set size of this process.
func rssKiB(tb testing.TB) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			n, err := strconv.ParseInt(string(bytes.Fields(v)[0]), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			return n
		}
	}
	tb.Fatal("no VmRSS")
	return 0
}

// BenchmarkStoreRSS reports the resident memory the store adds to a fresh
// process when opened and holding 1,000 registrations with 2 records and a
// checkpoint each (target: under 20 MiB). Each iteration runs in a child
// process, so no iteration inherits another's heap.
func BenchmarkStoreRSS(b *testing.B) {
	var added []float64
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoreRSSChild$")
		cmd.Env = append(os.Environ(), "BGFETCH_RSS_CHILD="+b.TempDir())
		out, err := cmd.Output()
		if err != nil {
			b.Fatalf("child: %v", err)
		}
		var kib float64
		if _, err := fmt.Sscanf(string(bytes.TrimSpace(out[bytes.LastIndex(out, []byte("RSS-ADDED ")):])), "RSS-ADDED %g", &kib); err != nil {
			b.Fatalf("child output %q: %v", out, err)
		}
		added = append(added, kib/1024)
	}
	sort.Float64s(added)
	b.ReportMetric(added[len(added)/2], "MiB-added-median")
	b.ReportMetric(added[len(added)-1], "MiB-added-max")
}

// TestStoreRSSChild is BenchmarkStoreRSS's child; it does nothing in a
// normal test run.
func TestStoreRSSChild(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("BGFETCH_RSS_CHILD")
	if dir == "" {
		t.Skip("run by BenchmarkStoreRSS")
	}
	doc := bytes.Repeat([]byte("x"), 600)
	runtime.GC()
	before := rssKiB(t)
	s, err := Open(dir, Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for r := 0; r < 1000; r++ {
		uid := fmt.Sprintf("r_%06d", r)
		err := s.Update(func(tx *Tx) error {
			tx.PutRecord(uid, 0, doc)
			tx.PutRecord(uid, 1, doc)
			tx.PutCheckpoint(uid, 0, Checkpoint{Offset: 1 << 20, Total: 1 << 30, ETag: `"abc"`})
			return tx.PutRegistration(uid, doc)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	s.View(func(tx *Tx) error {
		return tx.EachRegistration(func(string, []byte) error { return nil })
	})
	runtime.GC()
	fmt.Printf("RSS-ADDED %d\n", rssKiB(t)-before)
}
