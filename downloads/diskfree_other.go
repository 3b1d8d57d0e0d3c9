//go:build !unix

package downloads

// diskFree is unknown on this platform; only Config.QuotaBytes applies.
func diskFree(string) (int64, bool) { return 0, false }
