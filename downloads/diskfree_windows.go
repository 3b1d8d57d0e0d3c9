package downloads

import "golang.org/x/sys/windows"

// diskFree returns the bytes available to this user at path
// (GetDiskFreeSpaceEx honours per-user disk quotas).
func diskFree(path string) (int64, bool) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return 0, false
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return 0, false
	}
	return int64(avail), true
}

// diskFullErrors are the errors Windows gives for a full disk or an
// exhausted quota (syscall.ENOSPC is an invented value there that no call
// returns).
var diskFullErrors = []error{windows.ERROR_DISK_FULL, windows.ERROR_HANDLE_DISK_FULL, windows.ERROR_DISK_QUOTA_EXCEEDED}
