package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/redact"
)

// MaxBodyBytes caps the body of POST /v1/fetches (uploads travel inside it,
// base64-encoded). Larger bodies get 413.
const MaxBodyBytes = 64 << 20

// StatusFor is the one table from an error to an HTTP status (api.md
// "Errors"): TypeError 400 (409 for a duplicate active id),
// InvalidStateError 409, NotFoundError 404, QuotaExceededError 507,
// AbortError 409, 413 for a body over its limit, and 500 for anything that
// is not a *model.Error.
func StatusFor(err error) int {
	de := model.AsError(err)
	if de == nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return http.StatusRequestEntityTooLarge
		}
		if errors.As(err, new(busyError)) {
			return http.StatusServiceUnavailable
		}
		return http.StatusInternalServerError
	}
	switch de.Name {
	case model.TypeError:
		if de.Duplicate {
			return http.StatusConflict
		}
		return http.StatusBadRequest
	case model.InvalidStateError, model.AbortError:
		return http.StatusConflict
	case model.NotFoundError:
		return http.StatusNotFound
	case model.QuotaExceededError:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// writeError answers err with its status and the spec's name, and logs
// what is not the caller's fault.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusFor(err)
	de := model.AsError(err)
	switch {
	case de != nil:
		writeErrorBody(w, status, de.Name, de.Message)
	case status == http.StatusRequestEntityTooLarge:
		var tooBig *http.MaxBytesError
		errors.As(err, &tooBig)
		w.Header().Set("Connection", "close")
		writeErrorBody(w, status, model.TypeError, "the request body is larger than the limit of "+humanBytes(tooBig.Limit))
		drainRefused(w, r, tooBig.Limit)
	case status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
		writeErrorBody(w, status, model.UnknownError, err.Error())
	default:
		// Never a secret in the answer (the log's handler redacts too).
		msg := redact.String(err.Error())
		s.logger.Error("api call failed", "method", r.Method, "path", r.URL.Path, "err", msg)
		writeErrorBody(w, status, model.UnknownError, msg)
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return itoa(n>>20) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return itoa(n>>10) + " KiB"
	}
	return itoa(n) + " bytes"
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func writeErrorBody(w http.ResponseWriter, status int, name model.ErrorName, message string) {
	writeJSON(w, status, model.ErrorBody{Error: model.ErrorDetail{Name: name, Message: message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(model.ErrorBody{Error: model.ErrorDetail{Name: model.UnknownError, Message: err.Error()}})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	// A length, so that an answer flushed before the handler returns
	// (a 413 before its refused body is drained) is complete at once
	// rather than chunked until the handler ends.
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(b)
	w.Write(newline) // not append(b, '\n'): that can copy a large answer whole
}

var newline = []byte{'\n'}
