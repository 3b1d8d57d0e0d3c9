package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// EnvDataDir names the environment variable that chooses the data directory.
const EnvDataDir = "BGFETCH_DATA_DIR"

// Resolve returns the data directory to use: flagValue when set, else
// $BGFETCH_DATA_DIR, else Default(). The result is absolute.
func Resolve(flagValue string) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv(EnvDataDir)
	}
	if dir == "" {
		def, err := Default()
		if err != nil {
			return "", err
		}
		dir = def
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("data directory %q: %w", dir, err)
	}
	return abs, nil
}

// DefaultHelp is how help texts name this OS's default data directory.
func DefaultHelp() string {
	switch runtime.GOOS {
	case "windows":
		return `%LocalAppData%\bgfetch`
	case "darwin":
		return "~/Library/Application Support/bgfetch"
	}
	return "~/.local/share/bgfetch"
}

// Default is the OS convention for bgfetch's data: $XDG_DATA_HOME/bgfetch
// (~/.local/share/bgfetch) on Linux and other Unix systems,
// ~/Library/Application Support/bgfetch on macOS, %LocalAppData%\bgfetch on
// Windows. It ignores $BGFETCH_DATA_DIR (see Resolve).
func Default() (string, error) {
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "bgfetch"), nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support", "bgfetch"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "bgfetch"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errors.New("cannot find a home directory for the data directory; pass --data-dir or set " + EnvDataDir)
	}
	return filepath.Join(home, ".local", "share", "bgfetch"), nil
}

// IsDefault reports whether dir is the default data directory (the one a
// plain `bgfetch` uses), which decides where the default socket lives.
func IsDefault(dir string) bool {
	def, err := Default()
	if err != nil {
		return false
	}
	a, _ := filepath.Abs(dir)
	b, _ := filepath.Abs(def)
	return a == b
}

// Prepare creates dir with mode 0700, or takes group and other access
// away from an existing one (the token, the store and the socket live
// there; the docs promise 0700). It returns the mode dir had when it was
// looser, else 0.
func Prepare(dir string) (os.FileMode, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("create data directory: %w", err)
	}
	if runtime.GOOS == "windows" {
		return 0, nil
	}
	st, err := os.Stat(dir)
	if err != nil {
		return 0, err
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		if err := os.Chmod(dir, perm&0o700|0o700); err != nil {
			return 0, fmt.Errorf("make data directory %s private: %w", dir, err)
		}
		return perm, nil
	}
	return 0, nil
}
