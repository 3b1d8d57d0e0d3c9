package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestResolveOrder(t *testing.T) {
	t.Setenv(EnvDataDir, "/from/env")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if got, _ := Resolve("/from/flag"); got != "/from/flag" {
		t.Errorf("flag: %s", got)
	}
	if got, _ := Resolve(""); got != "/from/env" {
		t.Errorf("env: %s", got)
	}
	t.Setenv(EnvDataDir, "")
	if got, _ := Resolve(""); got != "/xdg/bgfetch" {
		t.Errorf("xdg: %s", got)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/me")
	if got, _ := Resolve(""); got != "/home/me/.local/share/bgfetch" {
		t.Errorf("home: %s", got)
	}
}

func TestTokenCreatedOnceAndPrivate(t *testing.T) {
	dir := t.TempDir()
	tok, err := LoadOrCreateToken(dir)
	if err != nil || len(tok) != 64 {
		t.Fatalf("%q %v", tok, err)
	}
	os.Chmod(TokenPath(dir), 0o644)
	again, err := LoadOrCreateToken(dir)
	if err != nil || again != tok {
		t.Fatalf("token changed: %q %v", again, err)
	}
	if st, _ := os.Stat(TokenPath(dir)); st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode().Perm())
	}
}

func TestEndpointFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadEndpoint(dir); !errors.Is(err, ErrNoEndpoint) {
		t.Fatal(err)
	}
	if err := WriteEndpoint(dir, "unix:/x/api.sock"); err != nil {
		t.Fatal(err)
	}
	if ep, err := ReadEndpoint(dir); ep != "unix:/x/api.sock" || err != nil {
		t.Fatalf("%q %v", ep, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".endpoint.tmp*")); len(m) != 0 {
		t.Fatalf("temporary files left: %v", m)
	}
	RemoveEndpoint(dir)
	if _, err := ReadEndpoint(dir); !errors.Is(err, ErrNoEndpoint) {
		t.Fatal(err)
	}
}

func TestDefaultSocketPath(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/1")
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if got := DefaultSocketPath("/xdg/bgfetch"); got != "/run/user/1/bgfetch/api.sock" {
		t.Errorf("default data dir: %s", got)
	}
	if got := DefaultSocketPath("/elsewhere"); got != "/elsewhere/api.sock" {
		t.Errorf("other data dir: %s", got)
	}
}
