package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/api/cli"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runUntilReady runs the app, waits for its endpoint, interrupts it and
// returns its exit code and log.
func runUntilReady(t *testing.T, args ...string) (int, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	var out, errs syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(append([]string{"--data-dir", dir}, args...), strings.NewReader(""), &out, &errs, Desktop{})
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "endpoint")); err == nil {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("exited early with %d: %s", code, errs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no endpoint: %s", errs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The log line comes right after the endpoint is written.
	for !strings.Contains(errs.String(), "serving headless") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		return code, errs.String()
	case <-time.After(20 * time.Second):
		t.Fatal("did not stop on SIGINT")
	}
	return 0, ""
}

// TestHeadlessWithoutDisplay: no display → one clear line, the API
// serves, SIGINT stops it cleanly.
func TestHeadlessWithoutDisplay(t *testing.T) {
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	code, log := runUntilReady(t)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, log)
	}
	if n := strings.Count(log, "serving headless"); n != 1 || !strings.Contains(log, "no display") {
		t.Fatalf("want one clear line about the missing display:\n%s", log)
	}
}

// TestHeadlessWithoutSessionBus: a display but no session D-Bus (so no
// tray, notifications or single-instance) → headless.
func TestHeadlessWithoutSessionBus(t *testing.T) {
	t.Setenv("DISPLAY", ":987")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	code, log := runUntilReady(t)
	if code != 0 || !strings.Contains(log, "no session D-Bus") {
		t.Fatalf("exit %d:\n%s", code, log)
	}
}

func TestUsage(t *testing.T) {
	var out, errs syncBuffer
	if code := cli.Run([]string{"--no-such-flag"}, strings.NewReader(""), &out, &errs, Desktop{}); code != cli.ExitUsage {
		t.Fatalf("exit %d", code)
	}
	if code := cli.Run([]string{"stray"}, strings.NewReader(""), &out, &errs, Desktop{}); code != cli.ExitUsage {
		t.Fatalf("exit %d", code)
	}
}
