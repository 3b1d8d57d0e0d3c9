package server

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// recordPoll bounds how long a waiting body request relies on the bus
// alone before it looks at the record again.
const recordPoll = time.Second

// body is GET .../records/{index}/body: responseReady, then the stored
// bytes, with Range honoured. A record still transferring is waited for
// (until the client goes away), like the spec's responseReady promise.
func (s *Server) body(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg model.Registration) error {
		index, err := strconv.Atoi(r.PathValue("index"))
		if err != nil || index < 0 {
			return model.TypeErrorf("the record index must be a number from 0")
		}
		rec, err := s.settledRecord(r.Context(), reg.UID, index)
		if err != nil {
			return err
		}
		return serveRecordBody(w, r, rec)
	})
}

// settledRecord waits until record index of uid has finished.
func (s *Server) settledRecord(ctx context.Context, uid string, index int) (model.Record, error) {
	sub := s.engine.Subscribe(uid)
	defer sub.Close()
	for {
		recs, err := s.engine.MatchAll(uid, model.MatchQuery{})
		if err != nil {
			return model.Record{}, err
		}
		if index >= len(recs) {
			return model.Record{}, model.NotFoundf("registration %s has %d records; there is no index %d", uid, len(recs), index)
		}
		rec := recs[index]
		if rec.State.Finished() {
			return rec, nil
		}
		select {
		case <-ctx.Done():
			return model.Record{}, &model.Error{Name: model.AbortError, Message: "the client went away before the response was ready"}
		case <-sub.C:
		case <-time.After(recordPoll):
		}
	}
}

// serveRecordBody serves a finished record's body: a success, or a failure
// whose complete response was a non-2xx status (spec C.16: a 404 stays
// readable). An aborted transfer is an AbortError, any other failure a
// TypeError, as responseReady rejects in the spec.
func serveRecordBody(w http.ResponseWriter, r *http.Request, rec model.Record) error {
	resp := rec.Response
	switch {
	case rec.State == model.RecordAborted:
		return &model.Error{Name: model.AbortError, Message: "the request was aborted before its response was complete"}
	case resp == nil || resp.Path == "":
		return model.TypeErrorf("the request failed without a response: %s", rec.Error)
	case rec.State == model.RecordFailed && resp.Status >= 200 && resp.Status < 300:
		return model.TypeErrorf("the response was not stored completely: %s", rec.Error)
	}
	f, err := os.Open(resp.Path)
	if err != nil {
		return &model.Error{Name: model.InvalidStateError, Message: "the body is no longer on disk: " + err.Error()}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if ct := headerValue(resp.Headers, "Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set(model.ResponseStatusHeader, strconv.Itoa(resp.Status))
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

// headerValue looks a header up in a stored header map, whatever its case.
func headerValue(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	canon := http.CanonicalHeaderKey(name)
	for k, v := range h {
		if http.CanonicalHeaderKey(k) == canon {
			return v
		}
	}
	return ""
}
