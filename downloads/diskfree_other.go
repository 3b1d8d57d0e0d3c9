//go:build !unix && !windows

package downloads

// diskFree is unknown on this platform; only Config.QuotaBytes applies.
func diskFree(string) (int64, bool) { return 0, false }

// diskFullErrors are the errors that say a disk is full.
var diskFullErrors []error
