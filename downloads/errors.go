package downloads

import (
	"errors"
	"fmt"
)

// Error is an exception with the spec's name, returned by Manager calls.
type Error struct {
	Name    string // TypeError, InvalidStateError, QuotaExceededError, NotFoundError, AbortError
	Message string
	// Duplicate is set for the TypeError of a duplicate active id (the API
	// answers it with 409).
	Duplicate bool
}

func (e *Error) Error() string { return e.Name + ": " + e.Message }

// Names of the spec's exceptions.
const (
	TypeError          = "TypeError"
	InvalidStateError  = "InvalidStateError"
	QuotaExceededError = "QuotaExceededError"
	NotFoundError      = "NotFoundError"
	AbortError         = "AbortError"
)

func typeErrorf(format string, a ...any) error {
	return &Error{Name: TypeError, Message: fmt.Sprintf(format, a...)}
}

func invalidStatef(format string, a ...any) error {
	return &Error{Name: InvalidStateError, Message: fmt.Sprintf(format, a...)}
}

func notFoundf(format string, a ...any) error {
	return &Error{Name: NotFoundError, Message: fmt.Sprintf(format, a...)}
}

func quotaf(format string, a ...any) error {
	return &Error{Name: QuotaExceededError, Message: fmt.Sprintf(format, a...)}
}

// ErrorName returns the spec name of err, or "" when it is not an *Error.
func ErrorName(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Name
	}
	return ""
}
