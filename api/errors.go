package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/bgfetch/bgfetch/api/wire"
	"github.com/bgfetch/bgfetch/downloads"
)

// Error names used by the API layer itself, besides the engine's. They are
// DOMException names, like the spec's.
const (
	// NotAllowedError answers a missing or wrong token (401).
	NotAllowedError = "NotAllowedError"
	// SecurityError answers a request a web page could have sent (403).
	SecurityError = "SecurityError"
	// UnknownError answers an internal failure (500).
	UnknownError = "UnknownError"
)

// ErrorBody is the JSON shape of every error answer; ErrorDetail names
// the exception (the spec's name) and says what happened.
type (
	ErrorBody   = wire.ErrorBody
	ErrorDetail = wire.ErrorDetail
)

// StatusFor is the one table from an error to an HTTP status (api.md
// "Errors"): TypeError 400 (409 for a duplicate active id),
// InvalidStateError 409, NotFoundError 404, QuotaExceededError 507,
// AbortError 409, and 500 for anything that is not a *downloads.Error.
func StatusFor(err error) int {
	var de *downloads.Error
	if !errors.As(err, &de) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge
		}
		return http.StatusInternalServerError
	}
	switch de.Name {
	case downloads.TypeError:
		if de.Duplicate {
			return http.StatusConflict
		}
		return http.StatusBadRequest
	case downloads.InvalidStateError, downloads.AbortError:
		return http.StatusConflict
	case downloads.NotFoundError:
		return http.StatusNotFound
	case downloads.QuotaExceededError:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// writeError answers err with its status and the spec's name.
func writeError(w http.ResponseWriter, err error) {
	status := StatusFor(err)
	var de *downloads.Error
	switch {
	case errors.As(err, &de):
		writeErrorBody(w, status, de.Name, de.Message)
	case status == http.StatusRequestEntityTooLarge:
		writeErrorBody(w, status, downloads.TypeError, "the request body is larger than 64 MiB")
	default:
		writeErrorBody(w, status, UnknownError, err.Error())
	}
}

func writeErrorBody(w http.ResponseWriter, status int, name, message string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Name: name, Message: message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(ErrorBody{Error: ErrorDetail{Name: UnknownError, Message: err.Error()}})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func typeError(msg string) error {
	return &downloads.Error{Name: downloads.TypeError, Message: msg}
}

func notFound(msg string) error {
	return &downloads.Error{Name: downloads.NotFoundError, Message: msg}
}
