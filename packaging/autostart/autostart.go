//go:build !windows && !darwin

package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// FileName is the entry's name inside the autostart directory.
const FileName = "bgfetch.desktop"

// Dir is the XDG autostart directory for home: $XDG_CONFIG_HOME/autostart
// when XDG_CONFIG_HOME is set to an absolute path, else home/.config/autostart.
// An empty home means the current user's home directory.
func Dir(home string) (string, error) {
	if cfg := os.Getenv("XDG_CONFIG_HOME"); cfg != "" && filepath.IsAbs(cfg) {
		return filepath.Join(cfg, "autostart"), nil
	}
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("autostart: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".config", "autostart"), nil
}

// Path is the autostart entry's full path for home (see Dir).
func Path(home string) (string, error) {
	dir, err := Dir(home)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, FileName), nil
}

// Enable writes the autostart entry for home, running the installed binary
// (InstalledBinary) with --hidden.
func Enable(home string) error {
	return EnableExec(home, InstalledBinary(home))
}

// EnableExec writes the autostart entry for home, running exe with --hidden.
// exe should be an absolute path; a bare name is looked up on PATH by the
// session.
func EnableExec(home, exe string) error {
	entry, err := Entry(exe)
	if err != nil {
		return err
	}
	path, err := Path(home)
	if err != nil {
		return err
	}
	if cur, err := os.ReadFile(path); err == nil && string(cur) == entry {
		return nil // already enabled, same entry
	}
	return writeAtomic(path, []byte(entry))
}

// Enabled reports whether home has an autostart entry that a session would
// run: the file exists and is not switched off with Hidden=true or
// X-GNOME-Autostart-enabled=false (which users' session settings may add).
func Enabled(home string) bool {
	path, err := Path(home)
	if err != nil {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if (k == "Hidden" && v == "true") || (k == "X-GNOME-Autostart-enabled" && v == "false") {
			return false
		}
	}
	return true
}

// InstalledBinary is the path the entry should run: the running executable
// (symlinks resolved) when that is a real installed binary, else
// home/.local/bin/bgfetch when it exists (`make install`), else "bgfetch"
// from PATH. A `go run` or `go test` binary lives in a temporary build
// directory that is deleted on exit, so it is never written into the entry.
func InstalledBinary(home string) string {
	if exe, err := os.Executable(); err == nil {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		if !isBuildTemp(exe) {
			return exe
		}
	}
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home != "" {
		p := filepath.Join(home, ".local", "bin", "bgfetch")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return "bgfetch"
}

// Entry is the desktop entry text that starts exe hidden in the tray.
func Entry(exe string) (string, error) {
	if exe == "" {
		return "", errors.New("autostart: empty executable path")
	}
	if strings.ContainsAny(exe, "\n\r\x00") {
		return "", fmt.Errorf("autostart: executable path %q has a control character", exe)
	}
	lines := []string{
		"[Desktop Entry]",
		"Type=Application",
		"Version=1.4",
		"Name=bgfetch",
		"GenericName=Background downloads",
		"Comment=Finish downloads and uploads for desktop apps in the background",
		"Exec=" + execArg(exe) + " --hidden",
	}
	if filepath.IsAbs(exe) {
		// The session skips the entry if the binary was removed
		// (uninstalled without switching the toggle off).
		lines = append(lines, "TryExec="+escapeString(exe))
	}
	lines = append(lines,
		"Icon="+AppID,
		"Terminal=false",
		"Categories=Network;FileTransfer;",
		"X-GNOME-Autostart-enabled=true",
		"",
	)
	return strings.Join(lines, "\n"), nil
}

// execArg quotes one Exec argument per the Desktop Entry Specification:
// arguments with reserved characters are double-quoted, with ", `, $ and \
// backslash-escaped inside the quotes; then the string-value escapes apply
// (every backslash doubled, a tab written \t); a literal % is written %%.
func execArg(s string) string {
	const reserved = " \t\"'\\><~|&;$*?#()`"
	if strings.ContainsAny(s, reserved) {
		s = `"` + strings.NewReplacer(`"`, `\"`, "`", "\\`", "$", `\$`, `\`, `\\`).Replace(s) + `"`
	}
	return strings.ReplaceAll(escapeString(s), "%", "%%")
}

// escapeString applies the string-value escapes (\\, \t) to a key's value.
func escapeString(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\t", `\t`).Replace(s)
}
