//go:build unix && !darwin

package tray

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAutostart writes and removes ~/.config/autostart/bgfetch.desktop
// (with a temporary HOME) through the Start at login entry.
func TestAutostart(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	a, err := DefaultAutostart()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(home, ".config", "autostart", "bgfetch.desktop")
	tr := New(&fakeDesk{}, &fakeCtl{}, Options{Autostart: a})
	login := item(t, tr.Menu(nil), "Start at login")
	if login.Checked {
		t.Fatal("checked before enabling")
	}
	login.Action()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"[Desktop Entry]", "Type=Application", "Name=bgfetch"} {
		if !strings.Contains(string(data), line+"\n") {
			t.Errorf("entry lacks %q:\n%s", line, data)
		}
	}
	if !strings.Contains(string(data), " --hidden\n") {
		t.Errorf("entry does not start bgfetch hidden:\n%s", data)
	}
	login = item(t, tr.Menu(nil), "Start at login")
	if !login.Checked {
		t.Fatal("not checked after enabling")
	}
	login.Action()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("entry still there: %v", err)
	}
}
