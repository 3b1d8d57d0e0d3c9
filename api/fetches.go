package api

import (
	"net/http"
	"net/url"

	"github.com/bgfetch/bgfetch/api/wire"
)

// createFetch is POST /v1/fetches: fetch() (spec A.1, B).
func (s *Server) createFetch(w http.ResponseWriter, r *http.Request) {
	body, err := DecodeFetchBody(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		writeError(w, err)
		return
	}
	reg, err := s.manager.Fetch(appOf(r), body.ID, body.Requests, body.Options)
	if err != nil {
		s.logDenied(r, err)
		writeError(w, err)
		return
	}
	w.Header().Set("Location", "/v1/registrations/"+url.PathEscape(reg.UID))
	writeJSON(w, http.StatusCreated, reg)
}

// IDList is the answer of GET /v1/fetches.
type IDList = wire.IDList

// listIDs is GET /v1/fetches: getIds() (spec A.3).
func (s *Server) listIDs(w http.ResponseWriter, r *http.Request) {
	ids := s.manager.IDs(appOf(r))
	if ids == nil {
		ids = []string{}
	}
	writeJSON(w, http.StatusOK, IDList{IDs: ids})
}

// getFetch is GET /v1/fetches/{id}: get(id) (spec A.2). No active fetch
// with that id is "undefined": 404 with the JSON body null, which tells it
// apart from an error body.
func (s *Server) getFetch(w http.ResponseWriter, r *http.Request) {
	reg, ok := s.manager.Get(appOf(r), r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, nil)
		return
	}
	writeJSON(w, http.StatusOK, reg)
}
