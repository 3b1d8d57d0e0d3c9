package client

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
)

// ErrNotRunning means no bgfetch daemon answers for the data directory.
var ErrNotRunning = errors.New("bgfetch is not running")

// Error is an error answer of the API: the spec's exception name
// (TypeError, InvalidStateError, QuotaExceededError, NotFoundError,
// AbortError, or the API's NotAllowedError, SecurityError, UnknownError),
// its message and the HTTP status.
type Error struct {
	Status  int
	Name    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (HTTP %d)", e.Name, e.Message, e.Status)
}

// ErrorName returns the spec name of err, or "" when it is not an *Error.
func ErrorName(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Name
	}
	return ""
}

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
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTSOCK)
}
