package e2eapi

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// bigFiles serves random files at /big/NAME at a fixed rate per
// connection, with ETag and Range support (http.ServeContent), and counts
// the bytes it sent and the Range requests it answered.
type bigFiles struct {
	*httptest.Server
	files  map[string][]byte
	sent   atomic.Int64
	ranges atomic.Int64
}

func newBigFiles(t *testing.T, size, bytesPerSecond int, names ...string) *bigFiles {
	b := &bigFiles{files: map[string][]byte{}}
	for _, n := range names {
		data := make([]byte, size)
		rand.Read(data)
		b.files[n] = data
	}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/big/")
		data, ok := b.files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Range") != "" {
			b.ranges.Add(1)
		}
		sum := sha256.Sum256(data)
		w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:8])+`"`)
		http.ServeContent(&throttled{w: w, rate: bytesPerSecond, sent: &b.sent}, r, name, time.Unix(1700000000, 0), bytes.NewReader(data))
	}))
	t.Cleanup(b.Server.Close)
	return b
}

// throttled writes at most rate bytes per second, in 32 KiB steps.
type throttled struct {
	w    http.ResponseWriter
	rate int
	sent *atomic.Int64
}

func (t *throttled) Header() http.Header { return t.w.Header() }
func (t *throttled) WriteHeader(c int)   { t.w.WriteHeader(c) }
func (t *throttled) Write(p []byte) (int, error) {
	const step = 32 << 10
	done := 0
	for len(p) > 0 {
		n := min(step, len(p))
		m, err := t.w.Write(p[:n])
		done += m
		t.sent.Add(int64(m))
		if err != nil {
			return done, err
		}
		t.w.(http.Flusher).Flush()
		p = p[n:]
		time.Sleep(time.Duration(n) * time.Second / time.Duration(t.rate))
	}
	return done, nil
}

// TestKill9ResumesMultiFile: a three-file fetch with a destination is
// killed with SIGKILL (TerminateProcess under Wine) mid-transfer; the
// restarted daemon resumes each file with a Range request from its last
// checkpoint, moves all three into the destination (a Windows path on
// Windows) with exact SHA-256s, and less than half of what was sent
// before the kill is sent again (a restart from zero would send all of it
// again).
func TestKill9ResumesMultiFile(t *testing.T) {
	const size, rate = 4 << 20, 1 << 20
	names := []string{"one.bin", "two.bin", "three.bin"}
	srv := newBigFiles(t, size, rate, names...)
	dir := t.TempDir()
	dest := filepath.Join(t.TempDir(), "My Downloads")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, dir, "")
	var urls []string
	for _, n := range names {
		urls = append(urls, srv.URL+"/big/"+n)
	}
	reg := d.fetch(t, map[string]any{"id": "kill9", "requests": urls, "destination": hostPath(dest)})
	start := time.Now()
	d.waitReg(t, reg.UID, "60% and 1.5 s of progress", func(r registration) bool {
		return r.Downloaded >= int64(len(names))*size*6/10 && time.Since(start) > 1500*time.Millisecond
	})
	d.cmd.Process.Kill()
	<-d.exited
	sentAtKill := srv.sent.Load()
	if sentAtKill >= int64(len(names))*size {
		t.Fatalf("the whole fetch was sent before the kill (%d bytes): slow the server down", sentAtKill)
	}

	// The killed daemon's announcement is stale: wait for the new one's.
	if err := os.Remove(filepath.Join(dir, "endpoint")); err != nil {
		t.Fatalf("a killed daemon leaves its endpoint file: %v", err)
	}
	d = startDaemon(t, dir, "")
	final := d.waitReg(t, reg.UID, "settle", settled)
	if final.Result != "success" {
		t.Fatalf("after the kill: %+v\n%s", final, d.logText())
	}
	for _, n := range names {
		got, err := os.ReadFile(filepath.Join(dest, n))
		if err != nil {
			t.Fatalf("%s in the destination: %v", n, err)
		}
		if sha256.Sum256(got) != sha256.Sum256(srv.files[n]) {
			t.Fatalf("%s: sha256 differs (%d bytes, want %d)", n, len(got), size)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "bodies", reg.UID)); len(left) != 0 {
		t.Fatalf("bodies left in the data dir after the move: %d", len(left))
	}
	refetched := srv.sent.Load() - int64(len(names))*size
	t.Logf("kill -9 at %d of %d bytes sent; %d bytes sent again after the restart, %d Range requests",
		sentAtKill, len(names)*size, refetched, srv.ranges.Load())
	if srv.ranges.Load() == 0 {
		t.Fatalf("no Range request after the restart: the files restarted from zero")
	}
	if refetched*2 >= sentAtKill {
		t.Fatalf("%d bytes sent again of %d sent before the kill: the checkpoints did not hold", refetched, sentAtKill)
	}
}
