package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/api/daemon"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/version"
	"github.com/bgfetch/bgfetch/internal/words"
)

func run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := Run(args, strings.NewReader(""), &out, &errOut, nil)
	return code, out.String(), errOut.String()
}

func startDaemon(t *testing.T) (string, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	d, err := daemon.Start(context.Background(), daemon.Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("hello from the file server"))
	}))
	t.Cleanup(srv.Close)
	return dir, srv
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	if code, out, _ := run("--version"); code != 0 || out != "bgfetch "+version.Version+"\n" {
		t.Fatalf("--version: %d %q", code, out)
	}
	if code, out, _ := run("--help"); code != 0 || !strings.Contains(out, "fetch URL…") || !strings.Contains(out, "Exit status") {
		t.Fatalf("--help: %d %q", code, out)
	}
	if code, out, _ := run("fetch", "--help"); code != 0 || !strings.Contains(out, "-download-total") || !strings.Contains(out, "Usage: bgfetch fetch") {
		t.Fatalf("fetch --help: %d %q", code, out)
	}
	if code, _, errOut := run("frobnicate"); code != ExitUsage || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errOut)
	}
	if code, _, _ := run("get"); code != ExitUsage {
		t.Fatalf("get without ID: %d", code)
	}
	if code, _, _ := run("fetch", "--bogus", "x"); code != ExitUsage {
		t.Fatalf("unknown flag: %d", code)
	}
}

func TestNotRunningExits3(t *testing.T) {
	t.Parallel()
	code, _, errOut := run("--data-dir", t.TempDir(), "ids")
	if code != ExitNotRunning || !strings.Contains(errOut, "bgfetch serve --headless") {
		t.Fatalf("%d %q", code, errOut)
	}
}

func TestFetchWaitAndQueries(t *testing.T) {
	t.Parallel()
	dir, srv := startDaemon(t)
	code, out, errOut := run("--data-dir", dir, "fetch", "--id", "ok", "--wait", srv.URL+"/a.txt")
	if code != ExitOK || !strings.Contains(out, "ok: done") {
		t.Fatalf("fetch --wait: %d %q %q", code, out, errOut)
	}
	// Flags after the URLs, globals after the command.
	code, out, errOut = run("fetch", srv.URL+"/missing", "--id", "bad", "--wait", "--data-dir", dir)
	if code != ExitFailure || !strings.Contains(errOut, words.ReasonWords(model.ReasonBadStatus)+" (bad-status)") {
		t.Fatalf("failing fetch --wait: %d %q %q", code, out, errOut)
	}
	code, out, _ = run("--data-dir", dir, "--json", "fetch", "--id", "j", "--wait", srv.URL+"/b.txt")
	var res model.FetchResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Registration.Result != "success" || len(res.Records) != 1 {
		t.Fatalf("--json fetch --wait: %d %q", code, out)
	}
	uid := res.Registration.UID
	if code, out, _ := run("--data-dir", dir, "get", uid); code != 0 || !strings.Contains(out, "result:") || !strings.Contains(out, "success") {
		t.Fatalf("get uid: %d %q", code, out)
	}
	if code, _, errOut := run("--data-dir", dir, "get", "nope"); code != ExitFailure || !strings.Contains(errOut, "NotFoundError") {
		t.Fatalf("get unknown: %d %q", code, errOut)
	}
	if code, out, _ := run("--data-dir", dir, "records", uid); code != 0 || !strings.Contains(out, srv.URL+"/b.txt") {
		t.Fatalf("records: %d %q", code, out)
	}
	if code, out, _ := run("--data-dir", dir, "match", uid, srv.URL+"/b.txt", "--json"); code != 0 || !strings.Contains(out, `"index": 0`) {
		t.Fatalf("match: %d %q", code, out)
	}
	if code, _, _ := run("--data-dir", dir, "match", uid, srv.URL+"/other"); code != ExitFailure {
		t.Fatalf("match without a record: %d", code)
	}
	if code, _, _ := run("--data-dir", dir, "click", uid); code != 0 {
		t.Fatalf("click: %d", code)
	}
	if code, _, _ := run("--data-dir", dir, "release", uid); code != 0 {
		t.Fatalf("release: %d", code)
	}
	if code, _, errOut := run("--data-dir", dir, "records", uid); code != ExitFailure || !strings.Contains(errOut, "InvalidStateError") {
		t.Fatalf("records after release: %d %q", code, errOut)
	}
	if code, out, _ := run("--data-dir", dir, "ids", "--json"); code != 0 || strings.TrimSpace(out) != "{\n  \"ids\": []\n}" {
		t.Fatalf("ids: %d %q", code, out)
	}
	if code, _, errOut := run("--data-dir", dir, "fetch", "--id", "x", "ftp://127.0.0.1/x"); code != ExitUsage || !strings.Contains(errOut, "TypeError") {
		t.Fatalf("ftp URL: %d %q", code, errOut)
	}
	if code, out, _ := run("--data-dir", dir, "--app", "com.example.a", "handler", "--url", "http://127.0.0.1:9/h"); code != 0 || !strings.Contains(out, "webhook") {
		t.Fatalf("handler: %d %q", code, out)
	}
}

func TestServeSaysAlreadyRunning(t *testing.T) {
	t.Parallel()
	dir, _ := startDaemon(t)
	code, out, _ := run("serve", "--headless", "--data-dir", dir)
	if code != 0 || !strings.Contains(out, "bgfetch is already running (endpoint unix:") {
		t.Fatalf("%d %q", code, out)
	}
	if code, _, errOut := run("serve", "--headless", "--data-dir", t.TempDir(), "--listen", "tcp:0.0.0.0:0"); code != ExitFailure || !strings.Contains(errOut, "only loopback") {
		t.Fatalf("non-loopback listen: %d %q", code, errOut)
	}
}

func TestRunsDesktop(t *testing.T) {
	for args, want := range map[string]bool{
		"":                        true,
		"--data-dir x":            true,
		"--hidden":                true,
		"--headless":              false,
		"--data-dir x --headless": false,
		"serve":                   false,
		"ids":                     false,
		"--version":               false,
		"--help":                  false,
		"fetch --wait u":          false,
	} {
		if got := RunsDesktop(strings.Fields(args)); got != want {
			t.Errorf("RunsDesktop(%q) = %v", args, got)
		}
	}
}
