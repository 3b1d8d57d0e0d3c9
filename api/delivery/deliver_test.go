//go:build linux

package delivery

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// A handler printing 100 MB costs the daemon at most the 1 MiB it reads:
// cappedBuffer embedded bytes.Buffer, whose ReadFrom os/exec used,
// bypassing the cap (issue 14: 31 → 287 MB). Not parallel: it counts the
// bytes this process allocates.
func TestHandlerOutputIsCapped(t *testing.T) {
	dl := newDeliverer(30 * time.Second)
	ev := model.Event{Type: model.EventClick, EventID: "1", Registration: model.Registration{UID: "r_1", ID: "a", App: "default"}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	answer, err := dl.runCommand(context.Background(), []string{"/bin/sh", "-c", "head -c 100000000 /dev/zero"}, ev, []byte("{}"))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(answer) != maxAnswerBytes {
		t.Fatalf("answer of %d bytes, want the first %d", len(answer), maxAnswerBytes)
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 8<<20 {
		t.Fatalf("reading the handler's output allocated %d MiB", grew>>20)
	}
}

// A timed-out handler dies with its children, also one that left the
// process group with setsid.
func TestTimeoutKillsChildrenThatLeftTheGroup(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	dl := newDeliverer(500 * time.Millisecond)
	ev := model.Event{Type: model.EventClick, EventID: "1", Registration: model.Registration{UID: "r_1", ID: "a", App: "default"}}
	script := "setsid sleep 60 & echo $! > " + pidFile + "; sleep 60"
	_, err := dl.runCommand(context.Background(), []string{"/bin/sh", "-c", script}, ev, nil)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	b, err := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		t.Fatalf("no child pid: %q %v", b, err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the handler's setsid child %d survived the timeout kill", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z' && s[i+2] != 'X'
}

// An id stored with a NUL byte (before they were refused) still reaches
// its handler, which could not start at all: retried for ever, its records
// never released.
func TestNULInAnIDDoesNotKeepTheHandlerFromStarting(t *testing.T) {
	t.Parallel()
	dl := newDeliverer(10 * time.Second)
	ev := model.Event{Type: model.EventClick, EventID: "1", Registration: model.Registration{UID: "r_1", ID: "a\x00b", App: "default"}}
	answer, err := dl.runCommand(context.Background(), []string{"/bin/sh", "-c", `printf '%s' "$BGFETCH_ID"`}, ev, nil)
	if err != nil {
		t.Fatalf("the handler did not run: %v", err)
	}
	if string(answer) != "a\uFFFDb" {
		t.Fatalf("BGFETCH_ID = %q", answer)
	}
}
