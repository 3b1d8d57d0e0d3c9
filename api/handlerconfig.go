package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/bgfetch/bgfetch/downloads"
)

// maxHandlerBody caps PUT /v1/handler bodies.
const maxHandlerBody = 64 << 10

// putHandler is PUT /v1/handler: the app's default handler.
func (s *Server) putHandler(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHandlerBody))
	if err != nil {
		writeError(w, err)
		return
	}
	spec, err := ParseHandlerSpec(raw)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.manager.SetAppHandler(appOf(r), handlerJSON(spec)); err != nil {
		s.logDenied(r, err)
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, spec)
}

// getHandler is GET /v1/handler: the app's handler, or 404 NotFoundError.
func (s *Server) getHandler(w http.ResponseWriter, r *http.Request) {
	raw, err := s.appHandler(appOf(r))
	if err != nil {
		writeError(w, err)
		return
	}
	if raw == nil {
		writeError(w, notFound("app "+appOf(r)+" has no handler"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(bytes.TrimSpace(raw), '\n'))
}

// deleteHandler is DELETE /v1/handler: events then only go to /v1/events.
func (s *Server) deleteHandler(w http.ResponseWriter, r *http.Request) {
	if err := s.manager.SetAppHandler(appOf(r), nil); err != nil {
		s.logDenied(r, err)
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// appHandler reads an app's handler document; nil when there is none.
func (s *Server) appHandler(app string) ([]byte, error) {
	return appHandlerOf(s.manager, app)
}

// appHandlerOf is the one reading of an app's handler, shared with the
// dispatcher: "none" may come back as empty, JSON null, or NotFoundError.
func appHandlerOf(m *downloads.Manager, app string) ([]byte, error) {
	raw, err := m.AppHandler(app)
	var de *downloads.Error
	if errors.As(err, &de) && de.Name == downloads.NotFoundError {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	return raw, nil
}
