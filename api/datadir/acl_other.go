//go:build !windows

package datadir

import "os"

// restrictToUser: on Unix the file mode (0600) does it.
func restrictToUser(*os.File) error { return nil }
