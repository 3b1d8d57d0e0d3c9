package api

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/bgfetch/bgfetch/api/wire"
	"github.com/bgfetch/bgfetch/downloads"
)

// ResponseStatusHeader carries the stored response's own status on a body
// answer (a 404 body is served with 200 and "Bgfetch-Response-Status: 404").
const ResponseStatusHeader = wire.ResponseStatusHeader

// recordPoll bounds how long a waiting body request relies on the bus
// alone before it looks at the record again.
const recordPoll = time.Second

// body is GET .../records/{index}/body: responseReady, then the stored
// bytes, with Range honoured. A record still transferring is waited for
// (until the client goes away), like the spec's responseReady promise.
func (s *Server) body(w http.ResponseWriter, r *http.Request) {
	s.withRegistration(w, r, func(reg downloads.Registration) error {
		index, err := strconv.Atoi(r.PathValue("index"))
		if err != nil || index < 0 {
			return typeError("the record index must be a number from 0")
		}
		rec, err := s.settledRecord(r.Context(), reg.UID, index)
		if err != nil {
			return err
		}
		return serveRecordBody(w, r, rec)
	})
}

// settledRecord waits until record index of uid has finished.
func (s *Server) settledRecord(ctx context.Context, uid string, index int) (downloads.Record, error) {
	sub := s.manager.Subscribe(uid)
	defer sub.Close()
	for {
		recs, err := s.manager.MatchAll(uid, downloads.MatchQuery{})
		if err != nil {
			return downloads.Record{}, err
		}
		if index >= len(recs) {
			return downloads.Record{}, notFound(fmt.Sprintf("registration %s has %d records; there is no index %d", uid, len(recs), index))
		}
		rec := recs[index]
		if recordFinished(rec.State) {
			return rec, nil
		}
		select {
		case <-ctx.Done():
			return downloads.Record{}, &downloads.Error{Name: downloads.AbortError, Message: "the client went away before the response was ready"}
		case <-sub.C:
		case <-time.After(recordPoll):
		}
	}
}

func recordFinished(s downloads.RecordState) bool {
	return s == downloads.RecordSuccess || s == downloads.RecordFailed || s == downloads.RecordAborted
}

// serveRecordBody serves a finished record's body: a success, or a failure
// whose complete response was a non-2xx status (spec C.16: a 404 stays
// readable). An aborted transfer is an AbortError, any other failure a
// TypeError, as responseReady rejects in the spec.
func serveRecordBody(w http.ResponseWriter, r *http.Request, rec downloads.Record) error {
	resp := rec.Response
	switch {
	case rec.State == downloads.RecordAborted:
		return &downloads.Error{Name: downloads.AbortError, Message: "the request was aborted before its response was complete"}
	case resp == nil || resp.Path == "":
		return typeError("the request failed without a response: " + rec.Error)
	case rec.State == downloads.RecordFailed && resp.Status >= 200 && resp.Status < 300:
		return typeError("the response was not stored completely: " + rec.Error)
	}
	f, err := os.Open(resp.Path)
	if err != nil {
		return &downloads.Error{Name: downloads.InvalidStateError, Message: "the body is no longer on disk: " + err.Error()}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if ct := headerValue(resp.Headers, "Content-Type"); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set(ResponseStatusHeader, strconv.Itoa(resp.Status))
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
