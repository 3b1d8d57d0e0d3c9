//go:build !unix || darwin

package app

// showInFolder has no file-manager call here; the caller opens the folder.
func showInFolder(string) bool { return false }
