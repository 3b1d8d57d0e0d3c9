//go:build !windows

package client

import "syscall"

// connRefused: syscall.ECONNREFUSED itself here (see refused_windows.go).
const connRefused = syscall.ECONNREFUSED
