package model

import (
	"errors"
	"fmt"
)

// ErrorName is an exception name of the spec (a DOMException name, or
// TypeError), carried by every error answer of the API.
type ErrorName string

// The spec's exceptions, and the API's own (also DOMException names).
const (
	TypeError          ErrorName = "TypeError"
	InvalidStateError  ErrorName = "InvalidStateError"
	QuotaExceededError ErrorName = "QuotaExceededError"
	NotFoundError      ErrorName = "NotFoundError"
	AbortError         ErrorName = "AbortError"

	// NotAllowedError answers a missing or wrong token (401).
	NotAllowedError ErrorName = "NotAllowedError"
	// SecurityError answers a request a web page could have sent (403).
	SecurityError ErrorName = "SecurityError"
	// UnknownError answers an internal failure (500).
	UnknownError ErrorName = "UnknownError"
)

// Error is an exception with the spec's name: what the engine returns for
// a call it refuses, and what the Go client returns for an error answer.
type Error struct {
	Name    ErrorName
	Message string
	// Duplicate marks the TypeError of a duplicate active id (the API
	// answers it with 409).
	Duplicate bool
	// Status is the HTTP status of an error answer (set by the client; 0
	// inside the daemon).
	Status int
}

func (e *Error) Error() string { return string(e.Name) + ": " + e.Message }

// AsError returns err as an *Error, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// NameOf returns the spec name of err, or "" when it is not an *Error.
func NameOf(err error) ErrorName {
	if e := AsError(err); e != nil {
		return e.Name
	}
	return ""
}

// Errorf returns an *Error named name.
func Errorf(name ErrorName, format string, a ...any) *Error {
	return &Error{Name: name, Message: fmt.Sprintf(format, a...)}
}

// TypeErrorf returns a TypeError: bad input.
func TypeErrorf(format string, a ...any) *Error { return Errorf(TypeError, format, a...) }

// InvalidStatef returns an InvalidStateError: not now.
func InvalidStatef(format string, a ...any) *Error { return Errorf(InvalidStateError, format, a...) }

// NotFoundf returns a NotFoundError.
func NotFoundf(format string, a ...any) *Error { return Errorf(NotFoundError, format, a...) }

// Quotaf returns a QuotaExceededError.
func Quotaf(format string, a ...any) *Error { return Errorf(QuotaExceededError, format, a...) }
