package e2eapi

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestKill9ResumesMultiFile: a three-file fetch with a destination is
// killed with SIGKILL (TerminateProcess under Wine) mid-transfer; the
// restarted daemon resumes each file with a Range request from its last
// checkpoint, moves all three into the destination (a Windows path on
// Windows) with exact SHA-256s, and less than half of what was sent
// before the kill is sent again (a restart from zero would send all of it
// again).
func TestKill9ResumesMultiFile(t *testing.T) {
	t.Parallel()
	const size, rate = 4 << 20, 1 << 20
	srv := testserver.New(t)
	names := []string{"one.bin", "two.bin", "three.bin"}
	bodies := map[string][]byte{}
	var urls []string
	for _, n := range names {
		body := make([]byte, size)
		rand.Read(body)
		bodies[n] = body
		urls = append(urls, srv.PutFile("/big/"+n, testserver.File{Body: body, ETag: fmt.Sprintf(`"%x"`, sha256.Sum256(body)), Rate: rate}))
	}
	dir := t.TempDir()
	dest := filepath.Join(t.TempDir(), "My Downloads")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	d := startDaemon(t, dir, "")
	reg := d.fetch(t, map[string]any{"id": "kill9", "requests": urls, "destination": hostPath(dest)})
	start := time.Now()
	d.waitReg(t, reg.UID, "60% and 1.5 s of progress", func(r registration) bool {
		return r.Downloaded >= int64(len(names))*size*6/10 && time.Since(start) > 1500*time.Millisecond
	})
	d.cmd.Process.Kill()
	<-d.exited
	sentAtKill := srv.BytesSent.Load()
	if sentAtKill >= int64(len(names))*size {
		t.Fatalf("the whole fetch was sent before the kill (%d bytes): slow the server down", sentAtKill)
	}

	// The killed daemon's announcement is stale: wait for the new one's.
	if err := os.Remove(filepath.Join(dir, "endpoint")); err != nil {
		t.Fatalf("a killed daemon leaves its endpoint file: %v", err)
	}
	rangedBefore := srv.Ranged.Load()
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
		if sha256.Sum256(got) != sha256.Sum256(bodies[n]) {
			t.Fatalf("%s: sha256 differs (%d bytes, want %d)", n, len(got), size)
		}
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "bodies", reg.UID)); len(left) != 0 {
		t.Fatalf("bodies left in the data dir after the move: %d", len(left))
	}
	refetched := srv.BytesSent.Load() - int64(len(names))*size
	ranged := srv.Ranged.Load() - rangedBefore
	t.Logf("kill -9 at %d of %d bytes sent; %d bytes sent again after the restart, %d Range requests",
		sentAtKill, len(names)*size, refetched, ranged)
	if ranged == 0 {
		t.Fatalf("no Range request after the restart: the files restarted from zero")
	}
	if refetched*2 >= sentAtKill {
		t.Fatalf("%d bytes sent again of %d sent before the kill: the checkpoints did not hold", refetched, sentAtKill)
	}
}
