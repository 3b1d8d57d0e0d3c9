//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// Disable removes the autostart entry for home (the desktop entry, or on
// macOS the launch agent). Removing one that is not there is not an error.
func Disable(home string) error {
	path, err := Path(home)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("autostart: %w", err)
	}
	return nil
}
