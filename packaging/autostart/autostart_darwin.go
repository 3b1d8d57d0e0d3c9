package autostart

import (
	"fmt"
	"os"
	"path/filepath"
)

// On macOS "Start at login" is a per-user launch agent,
// ~/Library/LaunchAgents/io.github.bgfetch.bgfetch.plist (LaunchAgent).
// Untested: there is no Mac here (README).

// Path is the launch agent's file for home ("" = the current user).
func Path(home string) (string, error) {
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("autostart: %w", err)
		}
		home = h
	}
	return filepath.Join(home, "Library", "LaunchAgents", LaunchAgentLabel+".plist"), nil
}

// Enable writes the launch agent, running InstalledBinary hidden.
func Enable(home string) error { return EnableExec(home, InstalledBinary(home)) }

// EnableExec writes the launch agent running exe with --hidden.
func EnableExec(home, exe string) error {
	plist, err := LaunchAgent(exe)
	if err != nil {
		return err
	}
	path, err := Path(home)
	if err != nil {
		return err
	}
	if cur, err := os.ReadFile(path); err == nil && string(cur) == plist {
		return nil
	}
	return writeAtomic(path, []byte(plist))
}

// Enabled reports whether the launch agent exists.
func Enabled(home string) bool {
	path, err := Path(home)
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}

// InstalledBinary is the running executable (inside bgfetch.app), unless
// that is a `go run`/`go test` build, then /Applications/bgfetch.app's.
func InstalledBinary(string) string {
	if exe, err := os.Executable(); err == nil && !isBuildTemp(exe) {
		return exe
	}
	return "/Applications/bgfetch.app/Contents/MacOS/bgfetch"
}
