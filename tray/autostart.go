package tray

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Autostart is the XDG autostart entry that starts bgfetch at login,
// hidden in the tray: $XDG_CONFIG_HOME/autostart/bgfetch.desktop (default
// ~/.config/autostart).
type Autostart struct {
	// Path of the entry; DefaultAutostart fills it in.
	Path string
	// Command is what the entry runs before "--hidden" (default "bgfetch").
	Command string
}

// DefaultAutostart is the entry for the current user.
func DefaultAutostart() (*Autostart, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, err
		}
		dir = filepath.Join(home, ".config")
	}
	return &Autostart{Path: filepath.Join(dir, "autostart", "bgfetch.desktop"), Command: "bgfetch"}, nil
}

// Entry is the desktop entry's text.
func (a *Autostart) Entry() string {
	cmd := a.Command
	if cmd == "" {
		cmd = "bgfetch"
	}
	if strings.ContainsAny(cmd, " \t\"'\\$`") {
		cmd = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "`", "\\`", "$", `\$`).Replace(cmd) + `"`
	}
	return strings.Join([]string{
		"[Desktop Entry]",
		"Type=Application",
		"Name=bgfetch",
		"Comment=Background downloads for desktop apps",
		"Exec=" + cmd + " --hidden",
		"Icon=bgfetch",
		"Terminal=false",
		"Categories=Network;FileTransfer;",
		"X-GNOME-Autostart-enabled=true",
		"",
	}, "\n")
}

// Enabled reports whether the entry exists and is not marked Hidden.
func (a *Autostart) Enabled() bool {
	data, err := os.ReadFile(a.Path)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "Hidden=true" {
			return false
		}
	}
	return true
}

// Set writes (atomically) or removes the entry.
func (a *Autostart) Set(enabled bool) error {
	if a.Path == "" {
		return errors.New("autostart: no path")
	}
	if !enabled {
		if err := os.Remove(a.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(a.Path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(a.Path), ".bgfetch.desktop.*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(a.Entry()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), a.Path); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
