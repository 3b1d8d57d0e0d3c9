package server

import (
	"net/http"
	"net/url"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// createFetch is POST /v1/fetches: fetch() (spec A.1, B).
func (s *Server) createFetch(w http.ResponseWriter, r *http.Request) {
	reg, err := s.registerFetch(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/registrations/"+url.PathEscape(reg.UID))
	writeJSON(w, http.StatusCreated, reg)
}

// registerFetch reads and decodes the body within the body budget, and
// holds its share until the engine has stored the uploads decoded from it.
func (s *Server) registerFetch(w http.ResponseWriter, r *http.Request) (model.Registration, error) {
	data, release, err := s.readBody(w, r, MaxBodyBytes)
	if err != nil {
		return model.Registration{}, err
	}
	defer release()
	var body model.FetchRequest
	if err := model.DecodeStrictBytes(data, &body); err != nil {
		return model.Registration{}, err
	}
	return s.engine.Fetch(appOf(r), body)
}

// listIDs is GET /v1/fetches: getIds() (spec A.3).
func (s *Server) listIDs(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, model.IDList{IDs: s.engine.IDs(appOf(r))})
}

// getFetch is GET /v1/fetches/{id}: get(id) (spec A.2). No active fetch
// with that id is "undefined": 404 with the JSON body null, which tells it
// apart from an error body.
func (s *Server) getFetch(w http.ResponseWriter, r *http.Request) {
	reg, ok := s.engine.Get(appOf(r), r.PathValue("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, nil)
		return
	}
	writeJSON(w, http.StatusOK, reg)
}
