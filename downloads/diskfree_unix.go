//go:build unix

package downloads

import "syscall"

// diskFree returns the bytes available to unprivileged users at path.
func diskFree(path string) (int64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return 0, false
	}
	return int64(st.Bavail) * int64(st.Bsize), true
}

// diskFullErrors are the errors that say a disk is full or a quota is
// exhausted.
var diskFullErrors = []error{syscall.ENOSPC, syscall.EDQUOT}
