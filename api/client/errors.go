package client

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// ErrNotRunning means no bgfetch daemon answers for the data directory.
var ErrNotRunning = errors.New("bgfetch is not running")

// notRunningError wraps a connection failure as ErrNotRunning.
type notRunningError struct {
	endpoint string
	cause    error
}

func (e *notRunningError) Error() string {
	return fmt.Sprintf("bgfetch is not running (nothing answers at %s: %v)", e.endpoint, e.cause)
}
func (e *notRunningError) Is(target error) bool { return target == ErrNotRunning }
func (e *notRunningError) Unwrap() error        { return e.cause }

// isConnectFailure reports whether err means nothing listens at the
// endpoint (refused, or the socket file is gone).
func isConnectFailure(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, connRefused) ||
		errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTSOCK)
}
