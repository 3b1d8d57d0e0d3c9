package daemon

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/api/datadir"
	"github.com/bgfetch/bgfetch/internal/enginetest"
)

func startTestDaemon(t *testing.T, dir, listen string) *Daemon {
	t.Helper()
	d, err := Start(context.Background(), Options{DataDir: dir, Listen: listen, Logger: enginetest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestDaemonAnnouncesItselfAndRefusesASecond(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startTestDaemon(t, dir, "")
	ep, err := datadir.ReadEndpoint(dir)
	if err != nil || ep != d.Endpoint() || ep != "unix:"+filepath.Join(dir, "api.sock") {
		t.Fatalf("endpoint %q (%v), daemon says %q", ep, err, d.Endpoint())
	}
	for _, name := range []string{"api.sock", "token", "endpoint"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v (%v), want 0600", name, st.Mode().Perm(), err)
		}
	}
	token, _ := datadir.ReadToken(dir)

	_, err = Start(context.Background(), Options{DataDir: dir, Logger: enginetest.Logger()})
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), "bgfetch is already running (endpoint "+ep+")") {
		t.Fatalf("second daemon: %v", err)
	}
	if got, _ := datadir.ReadEndpoint(dir); got != ep {
		t.Fatalf("the refused second daemon changed the endpoint to %q", got)
	}

	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := datadir.ReadEndpoint(dir); !errors.Is(err, datadir.ErrNoEndpoint) {
		t.Fatalf("endpoint after Close: %v", err)
	}
	// The token is created once and kept.
	d2 := startTestDaemon(t, dir, "tcp:127.0.0.1:0")
	if again, _ := datadir.ReadToken(dir); again != token {
		t.Fatal("the token changed across restarts")
	}
	if !strings.HasPrefix(d2.Endpoint(), "http://127.0.0.1:") || strings.HasSuffix(d2.Endpoint(), ":0") {
		t.Fatalf("tcp endpoint %q", d2.Endpoint())
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"tcp:0.0.0.0:0", "tcp:192.168.1.10:80", "tcp:[::]:0", "tcp:example.com:80", "tcp::8080", "udp:127.0.0.1:1", "127.0.0.1:80", "unix:"} {
		if _, err := ParseListen(bad, t.TempDir()); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	for _, good := range []string{"tcp:127.0.0.1:0", "tcp:[::1]:0", "tcp:localhost:1234", "unix:/tmp/x.sock"} {
		if _, err := ParseListen(good, t.TempDir()); err != nil {
			t.Errorf("%s refused: %v", good, err)
		}
	}
	_, err := Start(context.Background(), Options{DataDir: t.TempDir(), Listen: "tcp:0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "only loopback") {
		t.Fatalf("daemon on 0.0.0.0: %v", err)
	}
}

func TestStaleSocketIsReplaced(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sock := filepath.Join(dir, "api.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()                                // a socket nobody answers on
	datadir.WriteEndpoint(dir, "unix:"+sock) // a crash left both behind
	d := startTestDaemon(t, dir, "")
	if d.Endpoint() != "unix:"+sock {
		t.Fatalf("endpoint %s", d.Endpoint())
	}
}
