//go:build linux

package persistence

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
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

// BenchmarkStoreRSS reports the resident memory the store adds to the
// process when opened and holding 1,000 registrations with 2 records and
// a checkpoint each (target: under 20 MiB).
func BenchmarkStoreRSS(b *testing.B) {
	doc := bytes.Repeat([]byte("x"), 600)
	for i := 0; i < b.N; i++ {
		runtime.GC()
		before := rssKiB(b)
		s, err := Open(b.TempDir(), Options{GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		for r := 0; r < 1000; r++ {
			uid := fmt.Sprintf("r_%06d", r)
			err := s.Update(func(tx *Tx) error {
				tx.PutRecord(uid, 0, doc)
				tx.PutRecord(uid, 1, doc)
				tx.PutCheckpoint(uid, 0, Checkpoint{Offset: 1 << 20, Total: 1 << 30, ETag: `"abc"`})
				return tx.PutRegistration(uid, doc)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		s.View(func(tx *Tx) error {
			return tx.EachRegistration(func(string, []byte) error { return nil })
		})
		runtime.GC()
		after := rssKiB(b)
		b.ReportMetric(float64(after-before)/1024, "MiB-added")
		s.Close()
	}
}
