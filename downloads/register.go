package downloads

import (
	"fmt"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Fetch registers a background fetch of app (spec A.1, B).
func (m *Manager) Fetch(app string, opts model.FetchRequest) (model.Registration, error) {
	return m.register(app, opts, nil)
}

// register is Fetch; prepare, when given, works on the new fetch before it
// is stored (Retry gives it the old fetch's bodies).
func (m *Manager) register(app string, opts model.FetchRequest, prepare func(*fetch) error) (model.Registration, error) {
	if err := ValidateApp(app); err != nil {
		return model.Registration{}, err
	}
	reqs, err := validateFetch(&opts)
	if err != nil {
		return model.Registration{}, err
	}
	if opts.DownloadTotal > 0 {
		if free, ok := m.freeQuota(); ok && opts.DownloadTotal > free {
			return model.Registration{}, model.Quotaf("downloadTotal %d exceeds the %d bytes available", opts.DownloadTotal, free)
		}
	}
	m.mu.Lock()
	if opts.Priority == "" {
		opts.Priority = model.PriorityNormal
	}
	if opts.Metered == "" {
		opts.Metered = m.settings.Metered // decided once, at registration
	}
	m.mu.Unlock()
	key := appID{app, opts.ID}
	if err := m.reserve(key); err != nil {
		return model.Registration{}, err
	}
	f, uploads := newFetch(app, opts, reqs)
	err = nil
	if prepare != nil {
		err = prepare(f)
	}
	if err == nil {
		err = m.persistNew(f, uploads)
	}
	if err != nil {
		m.mu.Lock()
		delete(m.active, key)
		m.mu.Unlock()
		return model.Registration{}, fmt.Errorf("store the registration: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.active[key] = f.reg.UID
	m.fetches[f.reg.UID] = f
	m.order = append(m.order, f)
	m.markReady(f)
	m.schedule()
	m.publishStateLocked(f) // UIs learn of the new fetch at once
	m.log.Info("fetch registered", "uid", f.reg.UID, "app", app, "id", opts.ID, "requests", len(reqs))
	return m.snapshot(f), nil
}

// reserve claims (app, id) for a registration in progress: of two
// concurrent registrations of one id exactly one wins (spec B.9).
func (m *Manager) reserve(key appID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return model.InvalidStatef("bgfetch is shutting down")
	}
	if _, dup := m.active[key]; dup {
		e := model.TypeErrorf("an active fetch with id %q exists", key.id)
		e.Duplicate = true
		return e
	}
	m.active[key] = ""
	return nil
}

// newFetch is the in-memory state of a new registration, and the upload
// body of each request (upload.go: stored, not kept).
func newFetch(app string, opts model.FetchRequest, reqs []model.Request) (*fetch, [][]byte) {
	icons := opts.Icons
	if icons == nil {
		icons = []model.Icon{}
	}
	allGET := true
	var uploadTotal int64
	for _, r := range reqs {
		uploadTotal += int64(len(r.Body))
		allGET = allGET && r.Method == "GET"
	}
	f := &fetch{reg: model.Registration{
		UID: newUID(), App: app, ID: opts.ID, Title: opts.Title, Icons: icons,
		UploadTotal: uploadTotal, DownloadTotal: opts.DownloadTotal,
		RecordsAvailable: true, State: model.StateQueued, CreatedAt: time.Now().UTC(),
		Destination: opts.Destination, Handler: opts.Handler, AllGET: allGET,
	}}
	f.reg.Priority, f.reg.MaxBytesPerSecond, f.reg.Connections, f.reg.Metered = opts.Priority, opts.MaxBytesPerSecond, opts.Connections, opts.Metered
	f.lastStart, f.limiter = time.Now(), newLimiter(opts.MaxBytesPerSecond)
	uploads := make([][]byte, len(reqs))
	for i, r := range reqs {
		uploads[i], r.Body = r.Body, nil
		f.recs = append(f.recs, &record{
			Record:     model.Record{Index: i, Request: r, State: model.RecordPending, Total: -1},
			ckpt:       persistence.Checkpoint{Total: -1},
			host:       hostKey(r.URL),
			uploadSize: int64(len(uploads[i])),
		})
	}
	return f, uploads
}

// persistNew writes a new registration: upload bodies and records first,
// in as many transactions as they need, then the registration, which makes
// them visible. f is not shared yet: no lock is needed.
func (m *Manager) persistNew(f *fetch, uploads [][]byte) error {
	if err := m.storeUploads(f.reg.UID, uploads); err != nil {
		return err
	}
	err := m.store.UpdateMany(len(f.recs), func(tx *persistence.Tx, i int) error {
		if ck := f.recs[i].ckpt; ck.Stored() > 0 {
			if err := tx.PutCheckpoint(f.reg.UID, i, ck); err != nil {
				return err
			}
		}
		return tx.PutRecord(f.reg.UID, i, recordDoc(f.recs[i]))
	})
	if err != nil {
		return err
	}
	return m.store.Update(func(tx *persistence.Tx) error {
		return tx.PutRegistration(f.reg.UID, f.stored().doc())
	})
}
