package downloads

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// fetch is the in-memory state of one registration. Fields are guarded by
// Manager.mu unless noted.
type fetch struct {
	// ops serialises the fetch's persisted changes (store writes, moving
	// bodies) in the order they were decided. Lock order: ops before
	// Manager.mu; disk and store work happens with ops held and mu not.
	ops sync.Mutex

	reg       model.Registration // persisted fields; byte counts live below
	recs      []*record
	paused    bool
	uiUpdated bool
	// settling: a settle has been claimed and is under way (claimSettle);
	// no record starts and Abort answers false.
	settling bool
	// pendingFrom is the lowest record index that may still be runnable.
	pendingFrom int
	// queued: f is in Manager.ready.
	queued bool

	downloaded atomic.Int64 // sum of the records' stored bytes

	lastDownloaded, lastUploaded int64 // last published progress
	lastState                    model.State
}

// record is the in-memory state of one request.
type record struct {
	model.Record // public fields; Request.Body is nil (upload.go)
	ckpt         persistence.Checkpoint
	uploadSize   int64 // bytes of the upload body (stored beside the record)

	offset   atomic.Int64 // bytes of the body stored so far
	uploaded atomic.Int64

	running       bool
	saved         bool // the finished state and body are durable
	cancel        context.CancelCauseFunc
	waiting       bool  // in backoff after a temporary failure
	failures      int   // consecutive temporary failures (backoff exponent)
	statusRetries int   // 408/429/5xx answers so far
	restarts      int   // restarts from zero in a row
	attemptFrom   int64 // offset the current attempt started at
	reason        model.FailureReason
	timer         *time.Timer
}

func (r *record) finished() bool { return r.State.Finished() }

// uploadedPersisted is what a stored record says was uploaded.
func (r *record) uploadedPersisted() int64 {
	if r.Response != nil {
		return r.uploadSize
	}
	return 0
}

// storedRegistration is the persisted document of a registration.
type storedRegistration struct {
	model.Registration
	Paused    bool `json:"paused,omitempty"`
	UIUpdated bool `json:"uiUpdated,omitempty"`
}

// storedRecord is the persisted document of a record.
type storedRecord struct {
	model.Record
	Reason     model.FailureReason `json:"reason,omitempty"`
	UploadSize int64               `json:"uploadSize,omitempty"`
}

// stored is f's persisted document as it is now, with the live byte
// counts. Changes edit a copy, store it, then apply it. m.mu held.
func (f *fetch) stored() storedRegistration {
	sr := storedRegistration{Registration: f.reg, Paused: f.paused, UIUpdated: f.uiUpdated}
	sr.Downloaded, sr.Uploaded = f.downloaded.Load(), f.uploadedBytes()
	return sr
}

func (sr storedRegistration) doc() []byte {
	doc, _ := json.Marshal(sr) // plain structs: Marshal cannot fail
	return doc
}

// recordDoc is the stored document of a record; its byte count is the
// live offset. m.mu held.
func recordDoc(r *record) []byte {
	sr := storedRecord{Record: r.Record, Reason: r.reason, UploadSize: r.uploadSize}
	sr.Downloaded = r.offset.Load()
	doc, _ := json.Marshal(sr)
	return doc
}

// snapshot is the public view of f. m.mu held.
func (m *Manager) snapshot(f *fetch) model.Registration {
	r := f.reg
	r.Downloaded = f.downloaded.Load()
	r.Uploaded = f.uploadedBytes()
	r.State = m.stateOf(f)
	if r.Icons == nil {
		r.Icons = []model.Icon{}
	}
	r.KnownTotal = f.knownTotal()
	return r
}

// knownTotal is the sum of the lengths the servers announced. m.mu held.
func (f *fetch) knownTotal() int64 {
	var known int64
	for _, rec := range f.recs {
		if rec.Total > 0 {
			known += rec.Total
		}
	}
	return known
}

// uploadedBytes sums the records' sent upload bytes.
func (f *fetch) uploadedBytes() int64 {
	var n int64
	for _, r := range f.recs {
		n += r.uploaded.Load()
	}
	return n
}

// stateOf is bgfetch's state of f. m.mu held.
func (m *Manager) stateOf(f *fetch) model.State {
	if !f.reg.Active() {
		return model.StateSettled
	}
	if f.settling {
		return model.StateRunning // finishing: moving bodies, storing the result
	}
	if f.paused {
		return model.StatePaused
	}
	waiting := false
	for _, r := range f.recs {
		if r.running {
			return model.StateRunning
		}
		if r.waiting {
			waiting = true
		}
	}
	if waiting {
		return model.StateWaitingNetwork
	}
	return model.StateQueued
}

// recordView is the public copy of a record. m.mu held.
func recordView(r *record) model.Record {
	v := r.Record
	v.Request.Body = nil
	v.Downloaded = r.offset.Load()
	if v.Request.Headers == nil {
		v.Request.Headers = map[string]string{}
	}
	if v.State == model.RecordAborted && v.Error == "" {
		v.Error = "AbortError: the fetch was aborted before this request completed"
	}
	return v
}

// recordViews are the public copies of f's records. m.mu held.
func recordViews(f *fetch) []model.Record {
	out := make([]model.Record, len(f.recs))
	for i, r := range f.recs {
		out[i] = recordView(r)
	}
	return out
}

// setOffset publishes a record's stored byte count.
func (f *fetch) setOffset(r *record, v int64) {
	old := r.offset.Swap(v)
	f.downloaded.Add(v - old)
}
