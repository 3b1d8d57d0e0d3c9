package e2eapi

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestWaitSurvivesRestart: `fetch --wait` keeps waiting while the daemon
// restarts on a new loopback port (as it does on Windows at every start,
// and for any tcp:…:0 daemon), finds the new endpoint and exits 0 with the
// fetch done.
func TestWaitSurvivesRestart(t *testing.T) {
	t.Parallel()
	f := testserver.New(t)
	dir := t.TempDir()
	d := startDaemon(t, dir, "tcp:127.0.0.1:0")
	cmd := exec.Command(cliBinary, "--data-dir", hostPath(dir), "fetch", "--id", "r", "--wait", f.URL+"/hold/r?size=2000000")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, b := d.call(t, "GET", "/v1/fetches/r", nil)
		if status == 200 && mustDecode[registration](t, b).Downloaded > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fetch never started: %d %s", status, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // the CLI is waiting on the first daemon
	old := d.endpoint
	d.stop(t)
	f.Release() // the new daemon's request gets the whole body
	d = startDaemon(t, dir, "tcp:127.0.0.1:0")
	select {
	case err := <-waited:
		if err != nil || !strings.Contains(out.String(), "r: done") {
			t.Fatalf("fetch --wait after the restart (endpoint %s → %s): %v\nstdout %q\nstderr %q", old, d.endpoint, err, out.String(), errOut.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("fetch --wait still waiting 60 s after the restart (endpoint %s → %s)\nstdout %q\nstderr %q", old, d.endpoint, out.String(), errOut.String())
	}
}
