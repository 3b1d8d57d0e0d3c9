//go:build linux

package downloads

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncFiles makes the given files durable with one syncfs(2) of the file
// system that holds dir (the bodies directory), instead of one fsync each.
func syncFiles(dir string, paths []string) error {
	if len(paths) == 1 {
		return syncFile(paths[0])
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
