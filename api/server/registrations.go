package server

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// getRegistration is GET /v1/registrations/{uid}: the registration object,
// for as long as it is kept (settled ones included).
func (s *Server) getRegistration(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		writeJSON(w, http.StatusOK, reg)
		return nil
	})
}

// abort is POST .../abort: abort() (spec C.17).
func (s *Server) abort(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		aborted, err := s.engine.Abort(reg.UID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, model.AbortAnswer{Aborted: aborted})
		return nil
	})
}

// pause, resume, release and click change a registration and answer with
// it as it is afterwards.
func (s *Server) pause(w http.ResponseWriter, r *http.Request)   { s.act(w, r, s.engine.Pause) }
func (s *Server) resume(w http.ResponseWriter, r *http.Request)  { s.act(w, r, s.engine.Resume) }
func (s *Server) release(w http.ResponseWriter, r *http.Request) { s.act(w, r, s.engine.Release) }
func (s *Server) click(w http.ResponseWriter, r *http.Request)   { s.act(w, r, s.engine.Click) }

func (s *Server) act(w http.ResponseWriter, r *http.Request, action func(uid string) error) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		if err := action(reg.UID); err != nil {
			return err
		}
		after, err := s.engine.Registration(reg.UID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, after)
		return nil
	})
}

// records is GET .../records: matchAll() (spec C.18).
func (s *Server) records(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		q, err := matchQuery(r, false)
		if err != nil {
			return err
		}
		recs, err := s.engine.MatchAll(reg.UID, q)
		if err != nil {
			return err
		}
		writeRecordList(w, recs)
		return nil
	})
}

// writeRecordList answers a model.RecordList one record at a time: the
// same bytes as writeJSON, without the whole list marshalled at once (4
// clients listing 10,000 records took the daemon to about 100 MiB).
func writeRecordList(w http.ResponseWriter, recs []model.Record) {
	if recs == nil {
		writeJSON(w, http.StatusOK, model.RecordList{})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"records":[`)
	for i, rec := range recs {
		b, err := json.Marshal(rec)
		if err != nil {
			panic(http.ErrAbortHandler) // the status went out: cut the answer short
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.Write(b)
	}
	bw.WriteString("]}\n")
	bw.Flush()
}

// match is GET .../match?url=…: match() (spec C.18); no match is
// {"record": null}, not an error.
func (s *Server) match(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		q, err := matchQuery(r, true)
		if err != nil {
			return err
		}
		rec, err := s.engine.Match(reg.UID, q)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, model.RecordAnswer{Record: rec})
		return nil
	})
}

// matchQuery reads url, method, ignoreSearch and ignoreMethod.
func matchQuery(r *http.Request, needURL bool) (model.MatchQuery, error) {
	v := r.URL.Query()
	q := model.MatchQuery{URL: v.Get("url"), Method: v.Get("method")}
	if needURL && q.URL == "" {
		return q, model.TypeErrorf("match needs the url query parameter")
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
		return false, model.TypeErrorf("%s must be true or false", name)
	}
	return b, nil
}
