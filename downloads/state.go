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

	reg  model.Registration // persisted fields; byte counts live below
	recs []*record
	// cold: a settled fetch loaded from the store as history keeps no
	// records in memory (recs is nil), only the sums a snapshot needs; they
	// are read from the store when asked for (recordsOf). 10,000 kept
	// registrations held 12 MB of decoded records, 7 MB as their stored
	// documents, for a window that shows the files of one fetch at a time.
	cold                    bool
	coldKnown, coldUploaded int64
	paused                  bool
	uiUpdated               bool
	// settling: a settle has been claimed and is under way (claimSettle);
	// no record starts and Abort answers false.
	settling bool
	// pendingFrom is the lowest record index that may still be runnable.
	pendingFrom int
	// queued: f is in one of Manager.ready's queues.
	queued bool
	// lastStart is when f last started a transfer (or was registered):
	// how long it has waited, for the scheduler's aging.
	lastStart time.Time
	// limiter caps f's transfers together (reg.MaxBytesPerSecond); nil
	// once settled (a settled fetch loaded from the store has none).
	limiter *limiter
	// speed measures f's bytes per second while it runs (progress.go);
	// nil otherwise: its 528 bytes were a quarter of a kept registration's
	// memory, and thousands of settled ones are kept for history.
	speed *speedMeter

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
	waitReason    model.WaitReason // why it waits (network, retry) while waiting
	host          string           // hostKey of the request (hosts.go)
	hostWait      bool             // waiting for its unreachable host
	transfer      *transfer        // the running attempt, nil when none
}

func (r *record) finished() bool { return r.State.Finished() }

// rank is f's priority as a ready-queue index (normal for registrations
// stored before priorities existed).
func (f *fetch) rank() int {
	if r := f.reg.Priority.Rank(); r >= 0 {
		return r
	}
	return model.PriorityNormal.Rank()
}

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
	if r.Priority == "" {
		r.Priority = model.PriorityNormal
	}
	if r.Metered == "" {
		r.Metered = model.MeteredAllow
	}
	if r.State == model.StateRunning && f.speed != nil {
		r.Speed = f.speed.rate()
	}
	if r.State == model.StateWaitingNetwork {
		r.WaitReason = m.waitReason(f)
	}
	return r
}

// knownTotal is the sum of the lengths the servers announced. m.mu held.
func (f *fetch) knownTotal() int64 {
	if f.cold {
		return f.coldKnown
	}
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
	if f.cold {
		return f.coldUploaded
	}
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
	if m.gate(f) != model.WaitNone {
		return model.StateWaitingNetwork
	}
	waiting := false
	for _, r := range f.recs {
		if r.running {
			return model.StateRunning
		}
		if r.waiting || r.hostWait {
			waiting = true
		}
	}
	if waiting {
		return model.StateWaitingNetwork
	}
	return model.StateQueued
}

// waitReason is why a waiting-network f waits. m.mu held.
func (m *Manager) waitReason(f *fetch) model.WaitReason {
	if g := m.gate(f); g != model.WaitNone {
		return g
	}
	reason := model.WaitNone
	for _, r := range f.recs {
		switch {
		case r.hostWait:
			return model.WaitNetwork
		case r.waiting && r.waitReason != model.WaitNone:
			reason = r.waitReason
		}
	}
	if reason == model.WaitNone {
		reason = model.WaitNetwork
	}
	return reason
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

// recordViews are the public copies of recs. m.mu held when they are a
// warm fetch's.
func recordViews(recs []*record) []model.Record {
	out := make([]model.Record, len(recs))
	for i, r := range recs {
		out[i] = recordView(r)
	}
	return out
}

// recordsOf is f's records: recs, or for a cold fetch fresh copies read
// from the store (to read: a change to them would be lost). m.mu must
// not be held, since a cold fetch's are read from disk; a warm fetch's
// are f.recs, to be read with m.mu held. Every path that may see a
// settled fetch reads its records through here.
func (m *Manager) recordsOf(f *fetch) ([]*record, error) {
	m.mu.Lock()
	cold, uid := f.cold, f.reg.UID
	m.mu.Unlock()
	if !cold {
		return f.recs, nil // set once at registration or load
	}
	var docs [][]byte
	err := m.store.View(func(tx *persistence.Tx) error {
		var err error
		docs, err = tx.Records(uid)
		return err
	})
	if err != nil {
		return nil, err
	}
	return decodeRecords(uid, docs, false)
}

// setOffset publishes a record's stored byte count.
func (f *fetch) setOffset(r *record, v int64) {
	old := r.offset.Swap(v)
	f.downloaded.Add(v - old)
}
