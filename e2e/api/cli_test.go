package e2eapi

import (
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestCLI drives the daemon through the real binary's commands.
func TestCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "--data-dir", hostPath(dir), "ids"); code != 3 || !strings.Contains(errOut, "bgfetch serve --headless") {
		t.Fatalf("not running: %d %q", code, errOut)
	}
	if code, out, _ := runCLI(t, "--version"); code != 0 || !strings.HasPrefix(out, "bgfetch ") {
		t.Fatalf("--version: %d %q", code, out)
	}
	d := startDaemon(t, dir, "")
	f := testserver.New(t)
	if code, out, _ := runCLI(t, "serve", "--headless", "--data-dir", hostPath(dir)); code != 0 || !strings.Contains(out, "already running (endpoint "+d.endpoint+")") {
		t.Fatalf("second serve: %d %q", code, out)
	}
	if code, out, errOut := runCLI(t, "--data-dir", hostPath(dir), "fetch", "--id", "good", "--wait", f.URL+"/file/good"); code != 0 || !strings.Contains(out, "good: done") {
		t.Fatalf("fetch --wait: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "--data-dir", hostPath(dir), "fetch", "--id", "bad", "--wait", f.URL+"/status/404"); code != 1 || !strings.Contains(errOut, "(bad-status)") {
		t.Fatalf("failing fetch --wait: %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "--data-dir", hostPath(dir), "fetch", "--id", "x", "http://127.0.0.1:587/x"); code != 2 || !strings.Contains(errOut, "TypeError") {
		t.Fatalf("bad port: %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "--data-dir", hostPath(dir), "fetch", "--id", "slow", f.URL+"/slow/s"); code != 0 {
		t.Fatalf("fetch slow: %d", code)
	}
	if code, out, _ := runCLI(t, "--data-dir", hostPath(dir), "ids"); code != 0 || strings.TrimSpace(out) != "slow" {
		t.Fatalf("ids: %d %q", code, out)
	}
	for _, cmd := range []string{"pause", "resume", "get", "records", "click", "abort"} {
		if code, out, errOut := runCLI(t, "--data-dir", hostPath(dir), cmd, "slow"); code != 0 {
			t.Fatalf("%s: %d %q %q", cmd, code, out, errOut)
		}
	}
	if code, _, _ := runCLI(t, "--data-dir", hostPath(dir), "get", "slow"); code != 1 {
		t.Fatalf("get after abort: %d", code)
	}
	if code, _, _ := runCLI(t, "--data-dir", hostPath(dir), "nonsense"); code != 2 {
		t.Fatalf("unknown command: %d", code)
	}
}
