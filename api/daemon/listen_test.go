//go:build unix

package daemon

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/bgfetch/bgfetch/internal/enginetest"
)

// --listen unix:PATH deleted whatever was at PATH when it did not answer
// as a socket: a 0644 regular file was removed (issue 14). Now anything
// that is not a socket is left alone and the daemon refuses to start.
func TestListenNeverReplacesWhatIsNotASocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	os.WriteFile(file, []byte("keep me"), 0o644)
	sub := filepath.Join(dir, "a-dir")
	os.Mkdir(sub, 0o755)
	for _, path := range []string{file, sub} {
		_, err := Start(context.Background(), Options{DataDir: t.TempDir(), Listen: "unix:" + path, Logger: enginetest.Logger()})
		if err == nil || !strings.Contains(err.Error(), "not a socket") {
			t.Errorf("listen on %s: err = %v, want a refusal", path, err)
		}
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep me" {
		t.Fatalf("the file was touched: %q %v", b, err)
	}
	if st, err := os.Stat(sub); err != nil || !st.IsDir() {
		t.Fatalf("the directory was touched: %v", err)
	}
}

// The socket was chmod-ed after bind: for a moment it had the umask's
// mode. Now it never exists at its path with another mode than 0600.
// Not parallel: it sets the process's umask to 0 (the worst case).
func TestSocketIsPrivateFromTheStart(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("umask and /proc semantics of Linux")
	}
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "s.sock")
	var loose atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if st, err := os.Lstat(path); err == nil && st.Mode().Perm() != 0o600 {
				loose.Add(1)
			}
		}
	}()
	for range 300 {
		l, _, err := listen(ListenAddr{Network: "unix", Address: path})
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
	}
	close(stop)
	wg.Wait()
	if n := loose.Load(); n > 0 {
		t.Fatalf("the socket was seen %d times with a mode other than 0600", n)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("the socket is left after Close: %v", err)
	}
}

// An existing data dir of mode 0755 stayed so; the docs promise 0700.
func TestDataDirIsMadePrivate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	os.Mkdir(dir, 0o755)
	os.Chmod(dir, 0o755)
	startTestDaemon(t, dir, "tcp:127.0.0.1:0")
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode %v %v, want 0700", st.Mode().Perm(), err)
	}
}
