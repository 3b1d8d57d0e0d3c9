package client

import "syscall"

// connRefused is Winsock's "connection refused" (WSAECONNREFUSED), which
// is what a dial returns on Windows; syscall.ECONNREFUSED is an invented
// value there.
const connRefused = syscall.Errno(10061)
