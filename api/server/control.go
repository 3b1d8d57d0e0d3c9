package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// maxPatchBody caps PATCH bodies (settings with their schedule included).
const maxPatchBody = 64 << 10

// patchRegistration is PATCH /v1/registrations/{uid}: priority, speed
// limit, connections, metered policy of an active fetch, changed live.
func (s *Server) patchRegistration(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		var p model.RegistrationPatch
		if err := model.DecodeStrict(http.MaxBytesReader(w, r.Body, maxPatchBody), &p); err != nil {
			return err
		}
		after, err := s.engine.Update(reg.UID, p)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, after)
		return nil
	})
}

// retry is POST /v1/registrations/{uid}/retry: a failed or cancelled
// fetch registered again (201 + the new registration).
func (s *Server) retry(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		next, err := s.engine.Retry(reg.UID)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/v1/registrations/"+url.PathEscape(next.UID))
		writeJSON(w, http.StatusCreated, next)
		return nil
	})
}

// history is GET /v1/registrations?state=&limit=&before=: the app's kept
// registrations, newest first, a page at a time.
func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	q := downloads.HistoryQuery{State: v.Get("state"), Before: v.Get("before")}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			s.writeError(w, r, model.TypeErrorf("limit must be a number from 1 to %d, not %q", model.MaxPageSize, l))
			return
		}
		q.Limit = n
	}
	page, err := s.engine.History(appOf(r), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// getSettings is GET /v1/settings.
func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.engine.Settings())
}

// patchSettings is PATCH /v1/settings: any subset; 200 with all of them.
func (s *Server) patchSettings(w http.ResponseWriter, r *http.Request) {
	var p model.SettingsPatch
	if err := model.DecodeStrict(http.MaxBytesReader(w, r.Body, maxPatchBody), &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	after, err := s.engine.UpdateSettings(p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, after)
}
