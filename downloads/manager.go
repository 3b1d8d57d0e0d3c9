package downloads

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bgfetch/bgfetch/persistence"
	"github.com/cavaliergopher/grab/v3"
)

// Reasons a running transfer is cancelled (context.Cause).
var (
	errPaused   = errors.New("paused")
	errShutdown = errors.New("shutting down")
	errAborted  = errors.New("aborted")
	errSettled  = errors.New("the fetch settled")
)

// Manager is the Background Fetch manager for every app.
type Manager struct {
	cfg       Config
	store     *persistence.Store
	grab      *grab.Client
	log       *slog.Logger
	bus       bus
	bodiesDir string

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // transfers
	loops  sync.WaitGroup // progress loop, network watcher

	flushMu   sync.Mutex    // one flush at a time
	flushWake chan struct{} // a record finished: flush soon

	mu      sync.Mutex
	unsaved []*pendingSave    // finished records not yet durable
	fetches map[string]*fetch // every kept registration by uid
	active  map[appID]string  // active (app, id) → uid; "" while being registered
	order   []*fetch          // active fetches in registration order
	ready   []*fetch          // fetches that may have a record to start, in turn (scheduler.go)
	running int               // transfers holding a connection slot
	closed  bool
}

type appID struct{ app, id string }

// fetch is the in-memory state of one registration. Fields are guarded by
// Manager.mu unless noted.
type fetch struct {
	reg       Registration // persisted fields; byte counts live below
	recs      []*record
	paused    bool
	uiUpdated bool
	// pendingFrom is the lowest record index that may still be runnable.
	pendingFrom int
	// queued: f is in Manager.ready.
	queued bool

	downloaded atomic.Int64 // sum of the records' stored bytes

	lastDownloaded, lastUploaded int64 // last published progress
	lastState                    State
}

// record is the in-memory state of one request.
type record struct {
	Record // public fields; Request.Body holds the upload body
	ckpt   persistence.Checkpoint

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
	reason        FailureReason
	timer         *time.Timer
}

func (r *record) finished() bool {
	return r.State == RecordSuccess || r.State == RecordFailed || r.State == RecordAborted
}

// storedRegistration is the persisted document of a registration.
type storedRegistration struct {
	Registration
	Paused    bool `json:"paused,omitempty"`
	UIUpdated bool `json:"uiUpdated,omitempty"`
}

// storedRecord is the persisted document of a record.
type storedRecord struct {
	Record
	Reason FailureReason `json:"reason,omitempty"`
}

// New opens the manager on cfg.Store: every kept registration is loaded
// and running records resume from their checkpoints.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil || cfg.DataDir == "" {
		return nil, errors.New("downloads: Config.Store and Config.DataDir are required")
	}
	cfg.setDefaults()
	m := &Manager{
		cfg:       cfg,
		store:     cfg.Store,
		log:       cfg.Logger,
		bodiesDir: filepath.Join(cfg.DataDir, "bodies"),
		fetches:   make(map[string]*fetch),
		active:    make(map[appID]string),
		flushWake: make(chan struct{}, 1),
	}
	m.grab = newGrabClient(newHTTPClient(cfg))
	if err := os.MkdirAll(m.bodiesDir, 0o700); err != nil {
		return nil, fmt.Errorf("create bodies directory: %w", err)
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if err := m.load(); err != nil {
		return nil, err
	}
	m.loops.Add(3)
	go m.progressLoop()
	go m.maintenanceLoop()
	go m.flushLoop()
	if cfg.WatchNetwork {
		m.loops.Add(1)
		go m.watchNetwork()
	}
	m.mu.Lock()
	// A crash between a fetch's last record and its settling leaves it
	// active with nothing left to run: settle it now (idempotently).
	for _, f := range slices.Clone(m.order) {
		m.maybeSettle(f)
	}
	m.schedule()
	m.mu.Unlock()
	return m, nil
}

// load reads every registration from the store.
func (m *Manager) load() error {
	return m.store.View(func(tx *persistence.Tx) error {
		return tx.EachRegistration(func(uid string, doc []byte) error {
			var sr storedRegistration
			if err := json.Unmarshal(doc, &sr); err != nil {
				m.log.Error("skipping unreadable registration", "uid", uid, "err", err)
				return nil
			}
			f := &fetch{reg: sr.Registration, paused: sr.Paused, uiUpdated: sr.UIUpdated}
			docs, err := tx.Records(uid)
			if err != nil {
				return err
			}
			for i, d := range docs {
				var rec storedRecord
				if err := json.Unmarshal(d, &rec); err != nil || rec.Index != i {
					return fmt.Errorf("registration %s: unreadable record %d", uid, i)
				}
				r := &record{Record: rec.Record, reason: rec.Reason, saved: true}
				if r.State == RecordRunning {
					r.State = RecordPending
				}
				if f.reg.Active() || r.State == RecordPending {
					ck, err := tx.Checkpoint(uid, i)
					if err != nil {
						return err
					}
					r.ckpt = ck
				}
				if r.finished() {
					r.offset.Store(r.Downloaded)
				} else {
					r.offset.Store(r.ckpt.Offset)
				}
				r.uploaded.Store(r.uploadedPersisted())
				f.downloaded.Add(r.offset.Load())
				f.recs = append(f.recs, r)
			}
			if !f.reg.Active() {
				for _, r := range f.recs {
					if !r.finished() {
						r.State = RecordAborted
					}
				}
			}
			f.lastDownloaded, f.lastUploaded = f.downloaded.Load(), f.uploadedBytes()
			m.fetches[uid] = f
			if f.reg.Active() {
				m.active[appID{f.reg.App, f.reg.ID}] = uid
				m.order = append(m.order, f)
				m.markReady(f)
			}
			return nil
		})
	})
}

func (r *record) uploadedPersisted() int64 {
	if r.Response != nil {
		return int64(len(r.Request.Body))
	}
	return 0
}

// Close checkpoints every running transfer and stops the manager. The
// store stays open; the caller closes it.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	for _, f := range m.order {
		for _, r := range f.recs {
			if r.running {
				r.cancel(errShutdown)
			}
			if r.timer != nil {
				r.timer.Stop()
			}
		}
	}
	m.mu.Unlock()
	m.wg.Wait()
	m.flush() // what finished must be stored before we go
	m.cancel()
	m.loops.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.publishProgressLocked()
	return nil
}

func newUID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "r_" + hex.EncodeToString(b[:])
}

// Fetch registers a background fetch (spec A.1, B).
func (m *Manager) Fetch(app, id string, requests []Request, opts FetchOptions) (Registration, error) {
	if err := ValidateApp(app); err != nil {
		return Registration{}, err
	}
	if err := ValidateID(id); err != nil {
		return Registration{}, err
	}
	if len(requests) == 0 {
		return Registration{}, typeErrorf("the request list is empty")
	}
	if len(requests) > MaxRequests {
		return Registration{}, typeErrorf("%d requests; the limit is %d", len(requests), MaxRequests)
	}
	if err := validateOptions(&opts); err != nil {
		return Registration{}, err
	}
	reqs := make([]Request, len(requests))
	allGET := true
	var uploadTotal int64
	for i, r := range requests {
		nr, err := normalizeRequest(i, r)
		if err != nil {
			return Registration{}, err
		}
		reqs[i] = nr
		uploadTotal += int64(len(nr.Body))
		if nr.Method != "GET" {
			allGET = false
		}
	}
	if opts.DownloadTotal > 0 {
		if free, ok := m.freeQuota(); ok && opts.DownloadTotal > free {
			return Registration{}, quotaf("downloadTotal %d exceeds the %d bytes available", opts.DownloadTotal, free)
		}
	}

	key := appID{app, id}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return Registration{}, invalidStatef("bgfetch is shutting down")
	}
	if _, dup := m.active[key]; dup {
		m.mu.Unlock()
		return Registration{}, &Error{Name: TypeError, Message: fmt.Sprintf("an active fetch with id %q exists", id), Duplicate: true}
	}
	m.active[key] = "" // reserved: exactly one concurrent registration wins
	m.mu.Unlock()

	icons := opts.Icons
	if icons == nil {
		icons = []Icon{}
	}
	f := &fetch{reg: Registration{
		UID: newUID(), App: app, ID: id, Title: opts.Title, Icons: icons,
		UploadTotal: uploadTotal, DownloadTotal: opts.DownloadTotal,
		RecordsAvailable: true, State: StateQueued, CreatedAt: time.Now().UTC(),
		Destination: opts.Destination, Handler: opts.Handler, AllGET: allGET,
	}}
	for i, r := range reqs {
		f.recs = append(f.recs, &record{
			Record: Record{Index: i, Request: r, State: RecordPending, Total: -1},
			ckpt:   persistence.Checkpoint{Total: -1},
		})
	}
	if err := m.persistNew(f); err != nil {
		m.mu.Lock()
		delete(m.active, key)
		m.mu.Unlock()
		return Registration{}, fmt.Errorf("store the registration: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.active[key] = f.reg.UID
	m.fetches[f.reg.UID] = f
	m.order = append(m.order, f)
	m.markReady(f)
	m.schedule()
	m.publishStateLocked(f) // UIs learn of the new fetch at once
	m.log.Info("fetch registered", "uid", f.reg.UID, "app", app, "id", id, "requests", len(reqs))
	return m.snapshot(f), nil
}

// persistNew writes a new registration: records first, in as many
// transactions as they need, then the registration, which makes them
// visible.
func (m *Manager) persistNew(f *fetch) error {
	err := m.store.UpdateMany(len(f.recs), func(tx *persistence.Tx, i int) error {
		return putRecord(tx, f.reg.UID, f.recs[i])
	})
	if err != nil {
		return err
	}
	return m.store.Update(func(tx *persistence.Tx) error { return m.putRegistration(tx, f) })
}

func (m *Manager) putRegistration(tx *persistence.Tx, f *fetch) error {
	sr := storedRegistration{Registration: f.reg, Paused: f.paused, UIUpdated: f.uiUpdated}
	sr.Downloaded, sr.Uploaded = f.downloaded.Load(), f.uploadedBytes()
	doc, err := json.Marshal(sr)
	if err != nil {
		return err
	}
	return tx.PutRegistration(f.reg.UID, doc)
}

func putRecord(tx *persistence.Tx, uid string, r *record) error {
	doc, err := recordDoc(r)
	if err != nil {
		return err
	}
	return tx.PutRecord(uid, r.Index, doc)
}

// recordDoc is the stored document of a record; its byte count is the
// live offset. m.mu held.
func recordDoc(r *record) ([]byte, error) {
	sr := storedRecord{Record: r.Record, Reason: r.reason}
	sr.Downloaded = r.offset.Load()
	return json.Marshal(sr)
}

// saveRecord persists one record's document (state, response, error).
func (m *Manager) saveRecord(f *fetch, r *record) {
	if err := m.store.Update(func(tx *persistence.Tx) error { return putRecord(tx, f.reg.UID, r) }); err != nil {
		m.log.Error("store record", "uid", f.reg.UID, "index", r.Index, "err", err)
	}
}

func (m *Manager) saveRegistration(f *fetch) error {
	return m.store.Update(func(tx *persistence.Tx) error { return m.putRegistration(tx, f) })
}

// snapshot is the public view of f. m.mu held.
func (m *Manager) snapshot(f *fetch) Registration {
	r := f.reg
	r.Downloaded = f.downloaded.Load()
	r.Uploaded = f.uploadedBytes()
	r.State = m.stateOf(f)
	if r.Icons == nil {
		r.Icons = []Icon{}
	}
	var known int64
	for _, rec := range f.recs {
		if rec.Total > 0 {
			known += rec.Total
		}
	}
	r.KnownTotal = known
	return r
}

// uploadedBytes sums the records' sent upload bytes.
func (f *fetch) uploadedBytes() int64 {
	var n int64
	for _, r := range f.recs {
		n += r.uploaded.Load()
	}
	return n
}

func (m *Manager) stateOf(f *fetch) State {
	if !f.reg.Active() {
		return StateSettled
	}
	if f.paused {
		return StatePaused
	}
	waiting := false
	for _, r := range f.recs {
		if r.running {
			return StateRunning
		}
		if r.waiting {
			waiting = true
		}
	}
	if waiting {
		return StateWaitingNetwork
	}
	return StateQueued
}

// Get returns the active registration with id in app (spec A.2).
func (m *Manager) Get(app, id string) (Registration, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	uid := m.active[appID{app, id}]
	if uid == "" {
		return Registration{}, false
	}
	return m.snapshot(m.fetches[uid]), true
}

// IDs lists the ids of app's active fetches in registration order (spec A.3).
func (m *Manager) IDs(app string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := []string{}
	for _, f := range m.order {
		if f.reg.App == app {
			ids = append(ids, f.reg.ID)
		}
	}
	return ids
}

// Registration returns any kept registration by uid.
func (m *Manager) Registration(uid string) (Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f := m.fetches[uid]
	if f == nil {
		return Registration{}, notFoundf("no registration %q", uid)
	}
	return m.snapshot(f), nil
}

// List returns every kept registration of every app, newest first.
func (m *Manager) List() []Registration {
	m.mu.Lock()
	out := make([]Registration, 0, len(m.fetches))
	for _, f := range m.fetches {
		out = append(out, m.snapshot(f))
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].UID > out[j].UID
	})
	return out
}

func (m *Manager) lookup(uid string) (*fetch, error) {
	f := m.fetches[uid]
	if f == nil {
		return nil, notFoundf("no registration %q", uid)
	}
	return f, nil
}

// Abort aborts an active fetch (spec C.17): true the first time, false
// once settled.
func (m *Manager) Abort(uid string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return false, err
	}
	if !f.reg.Active() {
		return false, nil
	}
	m.settle(f, ResultFailure, ReasonAborted, errAborted)
	return true, nil
}

// recordView is the public copy of a record. m.mu held.
func recordView(r *record) Record {
	v := r.Record
	v.Request.Body = nil
	v.Downloaded = r.offset.Load()
	if v.Request.Headers == nil {
		v.Request.Headers = map[string]string{}
	}
	if v.State == RecordAborted && v.Error == "" {
		v.Error = "AbortError: the fetch was aborted before this request completed"
	}
	return v
}

// Records returns every record of a kept registration, available or not
// (for UIs; clients use MatchAll).
func (m *Manager) Records(uid string) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return nil, err
	}
	out := make([]Record, len(f.recs))
	for i, r := range f.recs {
		out[i] = recordView(r)
	}
	return out, nil
}

// MatchAll returns the records matching q (spec C.18).
func (m *Manager) MatchAll(uid string, q MatchQuery) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return nil, err
	}
	if !f.reg.RecordsAvailable {
		return nil, invalidStatef("the records of %s are no longer available", uid)
	}
	match, err := newMatcher(q)
	if err != nil {
		return nil, err
	}
	out := []Record{}
	for _, r := range f.recs {
		if match(r.Request) {
			out = append(out, recordView(r))
		}
	}
	return out, nil
}

// Match returns the first record matching q, or nil (spec C.18).
func (m *Manager) Match(uid string, q MatchQuery) (*Record, error) {
	if q.URL == "" {
		return nil, typeErrorf("match needs a URL")
	}
	recs, err := m.MatchAll(uid, q)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return &recs[0], nil
}

// newMatcher implements Cache API request matching.
func newMatcher(q MatchQuery) (func(Request) bool, error) {
	if q.URL == "" {
		return func(Request) bool { return true }, nil
	}
	qu, err := url.Parse(q.URL)
	if err != nil {
		return nil, typeErrorf("malformed URL %q", q.URL)
	}
	method := q.Method
	if method == "" {
		method = "GET"
	}
	norm := func(u *url.URL) string {
		c := *u
		c.Fragment, c.RawFragment = "", ""
		if q.IgnoreSearch {
			c.RawQuery, c.ForceQuery = "", false
		}
		return c.String()
	}
	want := norm(qu)
	return func(r Request) bool {
		if !q.IgnoreMethod && (method != "GET" || r.Method != "GET") {
			return false
		}
		ru, err := url.Parse(r.URL)
		return err == nil && norm(ru) == want
	}, nil
}

// Pause stops an active fetch's transfers until Resume (bgfetch's own).
func (m *Manager) Pause(uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.pausable(uid)
	if err != nil || f.paused {
		return err
	}
	f.paused = true
	for _, r := range f.recs {
		if r.running {
			r.cancel(errPaused)
		}
	}
	m.saveRegistrationLogged(f)
	m.publishStateLocked(f)
	return nil
}

// Resume continues a paused fetch.
func (m *Manager) Resume(uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.pausable(uid)
	if err != nil || !f.paused {
		return err
	}
	f.paused = false
	for _, r := range f.recs {
		r.failures = 0
	}
	m.saveRegistrationLogged(f)
	m.markReady(f)
	m.schedule()
	m.publishStateLocked(f)
	return nil
}

func (m *Manager) pausable(uid string) (*fetch, error) {
	f, err := m.lookup(uid)
	if err != nil {
		return nil, err
	}
	if !f.reg.Active() {
		return nil, invalidStatef("the fetch %s has settled", uid)
	}
	if !f.reg.AllGET {
		return nil, invalidStatef("only fetches whose requests are all GET can be paused")
	}
	return f, nil
}

// PauseAll pauses every pausable active fetch.
func (m *Manager) PauseAll() {
	for _, uid := range m.activeUIDs() {
		_ = m.Pause(uid)
	}
}

// ResumeAll resumes every paused fetch.
func (m *Manager) ResumeAll() {
	for _, uid := range m.activeUIDs() {
		_ = m.Resume(uid)
	}
}

func (m *Manager) activeUIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	uids := make([]string, len(m.order))
	for i, f := range m.order {
		uids[i] = f.reg.UID
	}
	return uids
}

func (m *Manager) saveRegistrationLogged(f *fetch) {
	if err := m.saveRegistration(f); err != nil {
		m.log.Error("store registration", "uid", f.reg.UID, "err", err)
	}
}

// Click fires backgroundfetchclick for a kept registration (spec C.22).
func (m *Manager) Click(uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return err
	}
	ev, err := m.storeEvent(f, EventClick, nil)
	if err != nil {
		return err
	}
	m.bus.publish(ev)
	return nil
}

// storeEvent writes a durable event to the outbox, with extra writes in
// the same transaction. m.mu held.
func (m *Manager) storeEvent(f *fetch, typ EventType, also func(tx *persistence.Tx) error) (Event, error) {
	ev := Event{Type: typ, Registration: m.snapshot(f), Records: make([]Record, len(f.recs))}
	for i, r := range f.recs {
		ev.Records[i] = recordView(r)
	}
	err := m.store.Update(func(tx *persistence.Tx) error {
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		var merr error
		_, err := tx.AppendOutbox(func(seq uint64) []byte {
			ev.Seq = seq
			ev.EventID = strconv.FormatUint(seq, 10)
			doc, err := json.Marshal(ev)
			merr = err
			return doc
		})
		if merr != nil {
			return merr
		}
		return err
	})
	if err != nil {
		return Event{}, fmt.Errorf("store %s event: %w", typ, err)
	}
	return ev, nil
}

// Release marks a settled registration's records unavailable and deletes
// the bodies kept in the data dir (spec C.7).
func (m *Manager) Release(uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return err
	}
	if f.reg.Active() {
		return invalidStatef("the fetch %s is still active", uid)
	}
	if !f.reg.RecordsAvailable {
		return nil
	}
	f.reg.RecordsAvailable = false
	if err := m.saveRegistration(f); err != nil {
		f.reg.RecordsAvailable = true
		return err
	}
	m.removeBodies(f)
	return nil
}

// removeBodies deletes f's files under the data dir; moved files stay.
func (m *Manager) removeBodies(f *fetch) {
	if err := os.RemoveAll(filepath.Join(m.bodiesDir, f.reg.UID)); err != nil {
		m.log.Warn("remove bodies", "uid", f.reg.UID, "err", err)
	}
}

// Forget drops a settled registration entirely (the UI's Clear).
func (m *Manager) Forget(uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return err
	}
	if f.reg.Active() {
		return invalidStatef("the fetch %s is still active", uid)
	}
	if err := m.store.DeleteRegistration(uid); err != nil {
		return err
	}
	m.removeBodies(f)
	delete(m.fetches, uid)
	return nil
}

// UpdateUI applies a handler's updateUI answer (spec C.21): once, and only
// for a success or fail event.
func (m *Manager) UpdateUI(uid string, event EventType, title *string, icons []Icon) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return err
	}
	if event != EventSuccess && event != EventFail {
		return invalidStatef("updateUI is only allowed for success and fail events, not %s", event)
	}
	if f.reg.Active() {
		return invalidStatef("the fetch %s has not settled", uid)
	}
	if f.uiUpdated {
		return invalidStatef("updateUI was already called for %s", uid)
	}
	for _, ic := range icons {
		if _, err := ValidateURL(ic.Src); err != nil {
			return err
		}
	}
	if title != nil {
		if len(*title) > MaxTitleBytes {
			return typeErrorf("the title is longer than %d bytes", MaxTitleBytes)
		}
		f.reg.Title = *title
	}
	if icons != nil {
		f.reg.Icons = icons
	}
	f.uiUpdated = true
	m.saveRegistrationLogged(f)
	m.publishStateLocked(f)
	return nil
}

// Subscribe returns a subscription to the events of uid ("" for all).
func (m *Manager) Subscribe(uid string) *Subscription { return m.bus.subscribe(uid) }

// EventsAfter calls fn with each durable event after seq, in order, with
// whether its handler has handled it, until fn returns false.
func (m *Manager) EventsAfter(seq uint64, fn func(ev Event, handled bool) bool) error {
	return m.store.View(func(tx *persistence.Tx) error {
		var derr error
		err := tx.OutboxAfter(seq, func(e persistence.OutboxEntry) bool {
			var ev Event
			if err := json.Unmarshal(e.Doc, &ev); err != nil {
				derr = fmt.Errorf("outbox entry %d: %w", e.Seq, err)
				return false
			}
			ev.Seq = e.Seq
			return fn(ev, e.Delivered)
		})
		if err != nil {
			return err
		}
		return derr
	})
}

// MarkHandled records that the event seq reached its handler.
func (m *Manager) MarkHandled(seq uint64) error {
	return m.store.Update(func(tx *persistence.Tx) error { return tx.MarkDelivered(seq) })
}

// LastEventSeq is the sequence number of the newest durable event.
func (m *Manager) LastEventSeq() uint64 { return m.store.LastOutboxSeq() }

// SetAppHandler stores (or with nil, removes) an app's default handler.
func (m *Manager) SetAppHandler(app string, doc json.RawMessage) error {
	if err := ValidateApp(app); err != nil {
		return err
	}
	return m.store.Update(func(tx *persistence.Tx) error { return tx.PutHandler(app, doc) })
}

// AppHandler returns an app's default handler, or nil.
func (m *Manager) AppHandler(app string) (json.RawMessage, error) {
	var doc []byte
	err := m.store.View(func(tx *persistence.Tx) error {
		var err error
		doc, err = tx.Handler(app)
		return err
	})
	if errors.Is(err, persistence.ErrNotFound) {
		return nil, nil
	}
	return doc, err
}

// CachedIcon returns icon bytes cached for src.
func (m *Manager) CachedIcon(src string) ([]byte, bool) {
	var data []byte
	err := m.store.View(func(tx *persistence.Tx) error {
		var err error
		data, err = tx.Icon(src)
		return err
	})
	return data, err == nil
}

// CacheIcon stores icon bytes for src.
func (m *Manager) CacheIcon(src string, data []byte) error {
	return m.store.Update(func(tx *persistence.Tx) error { return tx.PutIcon(src, data) })
}
