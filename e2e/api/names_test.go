package e2eapi

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestReservedNamesInDestination: bodies whose URLs end in names Windows
// reserves (devices such as NUL or COM1, with or without an extension,
// names ending in a dot or a space, characters such as < > : " | ? *) are
// all moved into the destination under names that are plain files on
// every OS, each with its bytes, and no two share a file.
func TestReservedNamesInDestination(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	f := testserver.New(t)
	dest := t.TempDir()
	names := []string{"nul", "nul.txt", "CON", "prn.tar.gz", "aux", "com1", "LPT9.log", "Com¹.txt",
		"trailing.", "space ", `a<b>c:d"e|f?g*h.txt`, "ok.txt"}
	var reqs []string
	for _, n := range names {
		reqs = append(reqs, f.URL+"/file/"+url.PathEscape(n))
	}
	reg := d.fetch(t, map[string]any{"id": "names", "requests": reqs, "destination": hostPath(dest)})
	if final := d.waitReg(t, reg.UID, "settle", settled); final.Result != "success" {
		t.Fatalf("settled %+v\n%s", final, d.logText())
	}
	status, b := d.call(t, "GET", "/v1/registrations/"+reg.UID+"/records", nil)
	if status != 200 {
		t.Fatalf("records: %d %s", status, b)
	}
	recs := mustDecode[struct {
		Records []struct {
			Index    int `json:"index"`
			Response *struct {
				Path string `json:"path"`
			} `json:"response"`
		} `json:"records"`
	}](t, b)
	if len(recs.Records) != len(names) {
		t.Fatalf("%d records, want %d", len(recs.Records), len(names))
	}
	seen := map[string]bool{}
	for _, r := range recs.Records {
		if r.Response == nil || r.Response.Path == "" {
			t.Fatalf("record %d has no path: %s", r.Index, b)
		}
		p := localPath(r.Response.Path)
		if filepath.Dir(p) != dest {
			t.Errorf("record %d (%q) moved to %s, outside %s", r.Index, names[r.Index], p, dest)
		}
		base := filepath.Base(p)
		if why := windowsUnsafe(base); why != "" {
			t.Errorf("record %d (%q) is named %q: %s", r.Index, names[r.Index], base, why)
		}
		if seen[strings.ToLower(base)] {
			t.Errorf("two records share %q", base)
		}
		seen[strings.ToLower(base)] = true
		if got, err := os.ReadFile(p); err != nil || string(got) != string(testserver.Body) {
			t.Errorf("record %d (%q) at %s: %d bytes, %v", r.Index, names[r.Index], p, len(got), err)
		}
	}
	if entries, _ := os.ReadDir(dest); len(entries) != len(names) {
		t.Errorf("%d files in the destination, want %d", len(entries), len(names))
	}
}

// windowsUnsafe says why name is not a plain file name on Windows, "" if
// it is one.
func windowsUnsafe(name string) string {
	if strings.ContainsAny(name, `<>:"/\|?*`) {
		return "a reserved character"
	}
	if strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") {
		return "a trailing dot or space"
	}
	// The device names, with any extension: "nul.txt" and "COM1 .log"
	// are the device too.
	stem, _, _ := strings.Cut(strings.ToUpper(name), ".")
	stem = strings.TrimRight(stem, " ")
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return "a reserved device name"
	}
	for _, dev := range []string{"COM", "LPT"} {
		if n, ok := strings.CutPrefix(stem, dev); ok && (len(n) == 1 && n[0] >= '0' && n[0] <= '9' || n == "¹" || n == "²" || n == "³") {
			return "a reserved device name"
		}
	}
	return ""
}
