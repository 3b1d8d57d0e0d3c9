package version

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// readFyneApp returns the key = value pairs of FyneApp.toml as
// "Section.Key" -> unquoted value. A line scan is enough for this flat file.
func readFyneApp(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i >= 0 && !strings.Contains(line[:i], `"`) {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "":
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("FyneApp.toml: cannot parse %q", line)
			}
			v = strings.TrimSpace(v)
			if uq, err := strconv.Unquote(v); err == nil {
				v = uq
			}
			key := strings.TrimSpace(k)
			if section != "" {
				key = section + "." + key
			}
			kv[key] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return kv
}

func TestFyneAppMatchesVersion(t *testing.T) {
	t.Parallel()
	kv := readFyneApp(t)
	if got := kv["Details.Version"]; got != Version {
		t.Errorf("FyneApp.toml Details.Version = %q, internal/version.Version = %q; keep them equal", got, Version)
	}
	if got, want := UserAgent(), "bgfetch/"+kv["Details.Version"]; got != want {
		t.Errorf("UserAgent() = %q, want %q", got, want)
	}
	for key, want := range map[string]string{
		"Details.Name":      "bgfetch",
		"Details.ID":        "io.github.bgfetch.bgfetch",
		"Migrations.fyneDo": "true",
	} {
		if got := kv[key]; got != want {
			t.Errorf("FyneApp.toml %s = %q, want %q", key, got, want)
		}
	}
	if b, err := strconv.Atoi(kv["Details.Build"]); err != nil || b < 1 {
		t.Errorf("FyneApp.toml Details.Build = %q, want a positive integer", kv["Details.Build"])
	}
	icon := kv["Details.Icon"]
	if _, err := os.Stat(filepath.Join("..", "..", filepath.FromSlash(icon))); err != nil {
		t.Errorf("FyneApp.toml Details.Icon %q: %v", icon, err)
	}
}
