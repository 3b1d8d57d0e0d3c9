//go:build unix

package server

import "syscall"

// fileLimit is the process's file descriptor limit (Go raised the soft
// limit to the hard one at start).
func fileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 1024
	}
	return int(min(rl.Cur, 1<<20))
}
