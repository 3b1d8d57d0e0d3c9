package e2eapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestCLITransferControl: list, retry, set, settings and the control
// flags of fetch, through the real binary; bad values exit 2 naming the
// flag and the value; settings survive a restart, a serve flag does not.
func TestCLITransferControl(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startDaemon(t, dir, "", "--max-connections", "3")
	f := testserver.New(t)
	bg := func(args ...string) (int, string, string) {
		return runCLI(t, append([]string{"--data-dir", hostPath(dir)}, args...)...)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"fetch", "--limit", "abc", f.URL + "/file/x"}, `--limit "abc"`},
		{[]string{"fetch", "--download-total", "abc", f.URL + "/file/x"}, `--download-total "abc"`},
		{[]string{"fetch", "--priority", "urgent", f.URL + "/file/x"}, `--priority "urgent"`},
		{[]string{"fetch", "--connections", "99", f.URL + "/file/x"}, `--connections 99`},
		{[]string{"fetch", "--metered", "never", f.URL + "/file/x"}, `--metered "never"`},
		{[]string{"settings", "max-bytes-per-second=fast"}, `max-bytes-per-second "fast"`},
		{[]string{"settings", "colour=red"}, `"colour=red"`},
		{[]string{"settings", "max-connections=abc"}, `max-connections="abc"`},
		{[]string{"set", "x"}, "give at least one of"},
	} {
		if code, _, errOut := bg(c.args...); code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	if code, _, errOut := bg("settings", "max-connections=0"); code != 2 || !strings.Contains(errOut, "maxConnections must be 1") {
		t.Errorf("settings max-connections=0: %d %q", code, errOut)
	}

	// Control flags, set, list.
	if code, _, errOut := bg("fetch", "--id", "slow", "--priority", "low", "--connections", "2", "--limit", "500k", f.URL+"/slow/s"); code != 0 {
		t.Fatalf("fetch with control flags: %d %q", code, errOut)
	}
	if code, out, errOut := bg("--json", "set", "slow", "--priority", "high", "--limit", "1M"); code != 0 ||
		!strings.Contains(out, `"priority": "high"`) || !strings.Contains(out, `"maxBytesPerSecond": 1048576`) || !strings.Contains(out, `"connections": 2`) {
		t.Fatalf("set: %d %q %q", code, out, errOut)
	}
	if code, out, _ := bg("list"); code != 0 || !strings.Contains(out, "slow") || !strings.Contains(out, "high") {
		t.Fatalf("list: %d %q", code, out)
	}

	// Retry of a failed fetch by its id, then list --all shows both.
	if code, _, _ := bg("fetch", "--id", "bad", "--wait", f.URL+"/status/404"); code != 1 {
		t.Fatalf("failing fetch: %d", code)
	}
	code, out, errOut := bg("--json", "retry", "bad")
	var next registration
	if code != 0 || json.Unmarshal([]byte(out), &next) != nil || next.ID != "bad" {
		t.Fatalf("retry: %d %q %q", code, out, errOut)
	}
	if code, out, _ := bg("list", "--all"); code != 0 || strings.Count(out, "bad") != 2 {
		t.Fatalf("list --all: %d %q", code, out)
	}

	// Settings: changed, shown, kept across a restart; the serve flag's
	// max-connections was this run's only.
	var s struct {
		MaxConnections    int   `json:"maxConnections"`
		MaxBytesPerSecond int64 `json:"maxBytesPerSecond"`
		KeepHistoryDays   int   `json:"keepHistoryDays"`
	}
	code, out, _ = bg("--json", "settings", "max-bytes-per-second=2M", "keep-history-days=7")
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil || s.MaxBytesPerSecond != 2<<20 || s.KeepHistoryDays != 7 || s.MaxConnections != 3 {
		t.Fatalf("settings: %d %q", code, out)
	}
	if code, out, _ := bg("settings"); code != 0 || !strings.Contains(out, "max-bytes-per-second") || !strings.Contains(out, "2097152") {
		t.Fatalf("settings table: %d %q", code, out)
	}
	d.stop(t)
	startDaemon(t, dir, "")
	code, out, _ = bg("--json", "settings")
	if code != 0 || json.Unmarshal([]byte(out), &s) != nil || s.MaxBytesPerSecond != 2<<20 || s.KeepHistoryDays != 7 || s.MaxConnections != 16 {
		t.Fatalf("settings after a restart: %d %q", code, out)
	}
}
