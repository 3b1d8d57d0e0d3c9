package server

import (
	"io"
	"net/http"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// maxHandlerBody caps PUT /v1/handler bodies.
const maxHandlerBody = 64 << 10

// putHandler is PUT /v1/handler: the app's default handler.
func (s *Server) putHandler(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxHandlerBody))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	spec, err := model.ParseHandlerSpec(raw)
	if err == nil {
		err = s.engine.Handlers().SetApp(appOf(r), &spec)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.live.notify() // the app's events may go to live handlers no longer
	writeJSON(w, http.StatusOK, spec)
}

// getHandler is GET /v1/handler: the app's handler, or 404 NotFoundError.
func (s *Server) getHandler(w http.ResponseWriter, r *http.Request) {
	spec, err := s.engine.Handlers().App(appOf(r))
	if err == nil && spec == nil {
		err = model.NotFoundf("app %s has no handler", appOf(r))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, spec)
}

// deleteHandler is DELETE /v1/handler: events then go to live handlers
// and /v1/events only.
func (s *Server) deleteHandler(w http.ResponseWriter, r *http.Request) {
	if err := s.engine.Handlers().SetApp(appOf(r), nil); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.live.notify() // the app's live handlers take its events now
	w.WriteHeader(http.StatusNoContent)
}
