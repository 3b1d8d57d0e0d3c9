package autostart

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/windows/registry"
)

// On Windows "Start at login" is the per-user Run key's "bgfetch" value
// (RunCommand). The home argument of every function is ignored: the
// registry of the current user is the only one.

// Path names the entry: HKCU\…\Run\bgfetch.
func Path(string) (string, error) { return `HKCU\` + RunKeyPath + `\` + RunValueName, nil }

// Enable makes bgfetch start at login, running InstalledBinary hidden.
func Enable(home string) error { return EnableExec(home, InstalledBinary(home)) }

// EnableExec writes the Run value running exe with --hidden, and clears a
// "switched off" mark Task Manager may have left, so that it runs.
func EnableExec(_ string, exe string) error {
	cmd, err := RunCommand(exe)
	if err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, RunKeyPath, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	defer k.Close()
	if err := k.SetStringValue(RunValueName, cmd); err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	if a, err := registry.OpenKey(registry.CURRENT_USER, StartupApprovedPath, registry.SET_VALUE); err == nil {
		a.DeleteValue(RunValueName)
		a.Close()
	}
	return nil
}

// Disable removes the Run value; a missing one is not an error.
func Disable(string) error {
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKeyPath, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("autostart: %w", err)
	}
	defer k.Close()
	if err := k.DeleteValue(RunValueName); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}

// Enabled reports whether the Run value exists and was not switched off
// in Task Manager or Settings.
func Enabled(string) bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKeyPath, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	if v, _, err := k.GetStringValue(RunValueName); err != nil || v == "" {
		return false
	}
	if a, err := registry.OpenKey(registry.CURRENT_USER, StartupApprovedPath, registry.QUERY_VALUE); err == nil {
		defer a.Close()
		if data, _, err := a.GetBinaryValue(RunValueName); err == nil && ApprovedDisabled(data) {
			return false
		}
	}
	return true
}

// InstalledBinary is the running exe, unless that is a `go run`/`go test`
// build, then the MSI's %LocalAppData%\Programs\bgfetch\bgfetch.exe.
func InstalledBinary(string) string {
	if exe, err := os.Executable(); err == nil && !isBuildTemp(exe) {
		return exe
	}
	return filepath.Join(os.Getenv("LocalAppData"), "Programs", "bgfetch", "bgfetch.exe")
}
