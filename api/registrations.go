package api

import (
	"net/http"
	"strconv"

	"github.com/bgfetch/bgfetch/api/wire"
	"github.com/bgfetch/bgfetch/downloads"
)

// getRegistration is GET /v1/registrations/{uid}: the registration object,
// for as long as it is kept (settled ones included).
func (s *Server) getRegistration(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg downloads.Registration) error {
		writeJSON(w, http.StatusOK, reg)
		return nil
	})
}

// AbortAnswer is the answer of POST .../abort.
type AbortAnswer = wire.AbortAnswer

// abort is POST .../abort: abort() (spec C.17).
func (s *Server) abort(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg downloads.Registration) error {
		aborted, err := s.manager.Abort(reg.UID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, AbortAnswer{Aborted: aborted})
		return nil
	})
}

// pause, resume, release and click change a registration and answer with
// it as it is afterwards.
func (s *Server) pause(w http.ResponseWriter, r *http.Request)   { s.act(w, r, s.manager.Pause) }
func (s *Server) resume(w http.ResponseWriter, r *http.Request)  { s.act(w, r, s.manager.Resume) }
func (s *Server) release(w http.ResponseWriter, r *http.Request) { s.act(w, r, s.manager.Release) }
func (s *Server) click(w http.ResponseWriter, r *http.Request)   { s.act(w, r, s.manager.Click) }

func (s *Server) act(w http.ResponseWriter, r *http.Request, action func(uid string) error) {
	s.withRegistration(w, r, func(reg downloads.Registration) error {
		if err := action(reg.UID); err != nil {
			return err
		}
		after, err := s.manager.Registration(reg.UID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, after)
		return nil
	})
}

// RecordList is the answer of GET .../records; RecordAnswer of GET
// .../match: a record or null.
type (
	RecordList   = wire.RecordList
	RecordAnswer = wire.RecordAnswer
)

// records is GET .../records: matchAll() (spec C.18).
func (s *Server) records(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg downloads.Registration) error {
		q, err := matchQuery(r, false)
		if err != nil {
			return err
		}
		recs, err := s.manager.MatchAll(reg.UID, q)
		if err != nil {
			return err
		}
		if recs == nil {
			recs = []downloads.Record{}
		}
		writeJSON(w, http.StatusOK, RecordList{Records: recs})
		return nil
	})
}

// match is GET .../match?url=…: match() (spec C.18); no match is
// {"record": null}, not an error.
func (s *Server) match(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg downloads.Registration) error {
		q, err := matchQuery(r, true)
		if err != nil {
			return err
		}
		rec, err := s.manager.Match(reg.UID, q)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, RecordAnswer{Record: rec})
		return nil
	})
}

// matchQuery reads url, method, ignoreSearch and ignoreMethod.
func matchQuery(r *http.Request, needURL bool) (downloads.MatchQuery, error) {
	v := r.URL.Query()
	q := downloads.MatchQuery{URL: v.Get("url"), Method: v.Get("method")}
	if needURL && q.URL == "" {
		return q, typeError("match needs the url query parameter")
	}
	var err error
	if q.IgnoreSearch, err = boolParam(v.Get("ignoreSearch"), "ignoreSearch"); err != nil {
		return q, err
	}
	if q.IgnoreMethod, err = boolParam(v.Get("ignoreMethod"), "ignoreMethod"); err != nil {
		return q, err
	}
	return q, nil
}

func boolParam(v, name string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, typeError(name + " must be true or false")
	}
	return b, nil
}
