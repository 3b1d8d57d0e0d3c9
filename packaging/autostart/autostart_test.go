//go:build !windows && !darwin

package autostart

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// tempHome gives each test its own HOME with XDG_CONFIG_HOME unset, so the
// entry lands in home/.config/autostart.
func tempHome(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	return home
}

func validate(t *testing.T, path string) {
	t.Helper()
	dfv, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		t.Log("desktop-file-validate not installed (scripts/install-deps.sh packaging); skipping validation")
		return
	}
	out, err := exec.Command(dfv, path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		data, _ := os.ReadFile(path)
		t.Fatalf("desktop-file-validate %s: %v\n%s\nentry:\n%s", path, err, out, data)
	}
}

func TestEnableDisableIdempotent(t *testing.T) {
	home := tempHome(t)
	want := filepath.Join(home, ".config", "autostart", "bgfetch.desktop")
	if p, err := Path(home); err != nil || p != want {
		t.Fatalf("Path = %q, %v; want %q", p, err, want)
	}
	if Enabled(home) {
		t.Fatal("Enabled before Enable")
	}
	exe := filepath.Join(home, ".local", "bin", "bgfetch")

	for i := 0; i < 2; i++ {
		if err := EnableExec(home, exe); err != nil {
			t.Fatalf("EnableExec #%d: %v", i+1, err)
		}
		if !Enabled(home) {
			t.Fatalf("not Enabled after EnableExec #%d", i+1)
		}
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	entry := string(data)
	for _, line := range []string{
		"[Desktop Entry]",
		"Type=Application",
		"Exec=" + exe + " --hidden",
		"TryExec=" + exe,
		"Icon=io.github.bgfetch.bgfetch",
		"X-GNOME-Autostart-enabled=true",
	} {
		if !strings.Contains(entry, line+"\n") {
			t.Errorf("entry lacks %q:\n%s", line, entry)
		}
	}
	if fi, err := os.Stat(want); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("entry mode: %v %v", fi.Mode(), err)
	}
	validate(t, want)

	// Only the entry in the directory: no temporary files left behind.
	ents, _ := os.ReadDir(filepath.Dir(want))
	if len(ents) != 1 {
		t.Errorf("autostart dir holds %d files, want 1", len(ents))
	}

	for i := 0; i < 2; i++ {
		if err := Disable(home); err != nil {
			t.Fatalf("Disable #%d: %v", i+1, err)
		}
		if Enabled(home) {
			t.Fatalf("Enabled after Disable #%d", i+1)
		}
		if _, err := os.Stat(want); !os.IsNotExist(err) {
			t.Fatalf("entry still there after Disable #%d: %v", i+1, err)
		}
	}
}

func TestEnableUsesInstalledBinary(t *testing.T) {
	home := tempHome(t)
	// Under `go test` the running binary is a temporary one, so Enable falls
	// back to the `make install` location when it exists...
	bin := filepath.Join(home, ".local", "bin", "bgfetch")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Enable(home); err != nil {
		t.Fatal(err)
	}
	p, _ := Path(home)
	data, _ := os.ReadFile(p)
	if !strings.Contains(string(data), "\nExec="+bin+" --hidden\n") {
		t.Fatalf("Enable did not use %s:\n%s", bin, data)
	}
	validate(t, p)

	// ...and to "bgfetch" from PATH when nothing is installed.
	if err := os.Remove(bin); err != nil {
		t.Fatal(err)
	}
	if err := Enable(home); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(p)
	if !strings.Contains(string(data), "\nExec=bgfetch --hidden\n") || strings.Contains(string(data), "TryExec") {
		t.Fatalf("fallback entry:\n%s", data)
	}
	validate(t, p)
	if err := Disable(home); err != nil {
		t.Fatal(err)
	}
}

func TestXDGConfigHome(t *testing.T) {
	home := tempHome(t)
	cfg := filepath.Join(t.TempDir(), "cfg")
	t.Setenv("XDG_CONFIG_HOME", cfg)
	if err := EnableExec(home, "/opt/bgfetch/bgfetch"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg, "autostart", "bgfetch.desktop")); err != nil {
		t.Fatalf("entry not under XDG_CONFIG_HOME: %v", err)
	}
	if _, err := os.Stat(filepath.Join(home, ".config")); !os.IsNotExist(err) {
		t.Fatalf("home/.config touched despite XDG_CONFIG_HOME: %v", err)
	}
	if !Enabled(home) {
		t.Fatal("not Enabled")
	}
	if err := Disable(home); err != nil || Enabled(home) {
		t.Fatalf("Disable: %v, Enabled=%v", err, Enabled(home))
	}

	// A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
	t.Setenv("XDG_CONFIG_HOME", "relative/cfg")
	if p, _ := Path(home); p != filepath.Join(home, ".config", "autostart", "bgfetch.desktop") {
		t.Fatalf("relative XDG_CONFIG_HOME not ignored: %s", p)
	}
}

func TestEnabledHonoursSessionSwitches(t *testing.T) {
	home := tempHome(t)
	if err := EnableExec(home, "/usr/bin/bgfetch"); err != nil {
		t.Fatal(err)
	}
	p, _ := Path(home)
	for _, off := range []string{"Hidden=true", "X-GNOME-Autostart-enabled=false"} {
		entry, _ := Entry("/usr/bin/bgfetch")
		entry = strings.Replace(entry, "X-GNOME-Autostart-enabled=true\n", "", 1) + off + "\n"
		if err := os.WriteFile(p, []byte(entry), 0o644); err != nil {
			t.Fatal(err)
		}
		if Enabled(home) {
			t.Errorf("Enabled with %s", off)
		}
		// Enabling again replaces the switched-off entry.
		if err := EnableExec(home, "/usr/bin/bgfetch"); err != nil || !Enabled(home) {
			t.Fatalf("re-Enable after %s: %v", off, err)
		}
	}
}

func TestExecQuoting(t *testing.T) {
	home := tempHome(t)
	for exe, want := range map[string]string{
		"/usr/bin/bgfetch":            "Exec=/usr/bin/bgfetch --hidden",
		"/home/a b/bin/bgfetch":       `Exec="/home/a b/bin/bgfetch" --hidden`,
		`/home/x"y/bgfetch`:           `Exec="/home/x\\"y/bgfetch" --hidden`,
		"/home/$u/bgfetch":            `Exec="/home/\\$u/bgfetch" --hidden`,
		"/home/100%/bgfetch":          "Exec=/home/100%%/bgfetch --hidden",
		`/home/back\slash/bgfetch`:    `Exec="/home/back\\\\slash/bgfetch" --hidden`,
		"/home/it's/bgfetch":          `Exec="/home/it's/bgfetch" --hidden`,
		"/home/tab\there/bgfetch":     `Exec="/home/tab\there/bgfetch" --hidden`,
		"/home/semi;colon/bgfetch":    `Exec="/home/semi;colon/bgfetch" --hidden`,
		"/home/\u00e9l\u00e8ve/fetch": "Exec=/home/\u00e9l\u00e8ve/fetch --hidden",
	} {
		entry, err := Entry(exe)
		if err != nil {
			t.Fatalf("Entry(%q): %v", exe, err)
		}
		if !strings.Contains(entry, "\n"+want+"\n") {
			t.Errorf("Entry(%q) Exec line:\n%s\nwant %s", exe, entry, want)
			continue
		}
		if err := EnableExec(home, exe); err != nil {
			t.Fatal(err)
		}
		p, _ := Path(home)
		validate(t, p)
	}
	for _, bad := range []string{"", "/a\nb"} {
		if _, err := Entry(bad); err == nil {
			t.Errorf("Entry(%q) accepted", bad)
		}
	}
}
