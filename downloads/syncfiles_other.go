//go:build !linux

package downloads

// syncFiles makes the given files durable, one fsync each.
func syncFiles(_ string, paths []string) error {
	for _, p := range paths {
		if err := syncFile(p); err != nil {
			return err
		}
	}
	return nil
}
