package downloads

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
	"github.com/cavaliergopher/grab/v3"
)

// Reasons a running transfer is cancelled (context.Cause).
var (
	errPaused   = errors.New("paused")
	errShutdown = errors.New("shutting down")
	errAborted  = errors.New("aborted")
	errSettled  = errors.New("the fetch settled")
	// errGated: a schedule window, a metered network or a new proxy stops
	// the transfer for now; it resumes from its checkpoint.
	errGated = errors.New("stopped by the schedule, the metered policy or new settings")
)

// Manager is the Background Fetch manager for every app: it coordinates
// registrations, the scheduler, transfers and the event bus.
//
// Locking: mu guards in-memory state only (the maps and lists below, and
// the fields of every fetch and record it notes). A fetch's persisted
// changes are serialised by its own fetch.ops, taken before mu and held
// while the store is written or bodies are moved, never under mu.
type Manager struct {
	cfg       Config
	store     *persistence.Store
	httpc     *http.Client // every transfer's; replaced when the proxy setting changes (m.mu)
	grab      *grab.Client // over httpc
	log       *slog.Logger
	bus       bus
	bodiesDir string
	// uploadsRoot holds upload bodies (upload.go).
	uploadsRoot string

	outbox   Outbox
	handlers Handlers
	icons    IconCache

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup // transfers
	settles sync.WaitGroup // settles that move bodies in the background
	loops   sync.WaitGroup // progress, maintenance and flush loops, network watcher

	flushMu   sync.Mutex    // one flush at a time
	flushWake chan struct{} // a record finished: flush soon

	settingsMu sync.Mutex // one UpdateSettings at a time
	global     *limiter   // all transfers together: settings and schedule (gates.go)

	mu          sync.Mutex
	unsaved     []*pendingSave        // finished records not yet durable
	fetches     map[string]*fetch     // every kept registration by uid
	active      map[appID]string      // active (app, id) → uid; "" while being registered
	order       []*fetch              // active fetches in registration order
	ready       [3][]*fetch           // per priority: fetches that may have a record to start, in turn (scheduler.go)
	running     int                   // connection slots in use (segments hold one each)
	slotWanted  bool                  // a ready record waits for a slot
	hosts       map[string]*hostState // unreachable hosts (hosts.go)
	settings    model.Settings        // this run's: stored, with serve's flags over them
	stored      model.Settings        // as in the store
	schedPaused bool                  // a schedule window pauses every transfer
	metered     bool                  // the network is metered now
	closed      bool
}

type appID struct{ app, id string }

// New opens the manager on cfg.Store: every kept registration is loaded
// and running records resume from their checkpoints.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil || cfg.DataDir == "" {
		return nil, errors.New("downloads: Config.Store and Config.DataDir are required")
	}
	cfg.setDefaults()
	m := &Manager{
		cfg:         cfg,
		store:       cfg.Store,
		log:         cfg.Logger,
		bodiesDir:   filepath.Join(cfg.DataDir, "bodies"),
		uploadsRoot: filepath.Join(cfg.DataDir, "uploads"),
		outbox:      Outbox{store: cfg.Store},
		handlers:    Handlers{store: cfg.Store},
		icons:       IconCache{store: cfg.Store},
		fetches:     make(map[string]*fetch),
		active:      make(map[appID]string),
		hosts:       make(map[string]*hostState),
		flushWake:   make(chan struct{}, 1),
		global:      newLimiter(0),
	}
	if err := os.MkdirAll(m.bodiesDir, 0o700); err != nil {
		return nil, fmt.Errorf("create bodies directory: %w", err)
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if err := m.loadSettings(); err != nil {
		return nil, err
	}
	if err := m.useProxy(m.settings.Proxy); err != nil {
		m.log.Error("the proxy setting cannot be used; connecting directly", "err", err)
	}
	if err := m.load(); err != nil {
		return nil, err
	}
	m.applySchedule(time.Now())
	m.loops.Add(4)
	go m.every(cfg.ProgressInterval, m.publishAllProgress)
	go m.every(maintenanceEvery, func() { m.maintain(time.Now()) })
	go m.every(time.Second, func() { m.applySchedule(time.Now()) })
	go m.flushLoop()
	if cfg.WatchNetwork {
		m.loops.Add(1)
		go m.watchNetwork()
	}
	m.mu.Lock()
	m.removeOrphanUploads()
	active := slices.Clone(m.order)
	m.schedule()
	m.mu.Unlock()
	// A crash between a fetch's last record and its settling leaves it
	// active with nothing left to run: settle it now (idempotently).
	for _, f := range active {
		m.settleIfDone(f, false)
	}
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
			f := &fetch{reg: sr.Registration, paused: sr.Paused, uiUpdated: sr.UIUpdated, lastStart: time.Now()}
			if f.reg.Active() {
				f.limiter = newLimiter(sr.MaxBytesPerSecond)
			}
			if err := m.loadRecords(tx, f); err != nil {
				return err
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

func (m *Manager) loadRecords(tx *persistence.Tx, f *fetch) error {
	uid, active := f.reg.UID, f.reg.Active()
	docs, err := tx.Records(uid)
	if err != nil {
		return err
	}
	recs, err := decodeRecords(uid, docs, active)
	if err != nil {
		return err
	}
	for i, r := range recs {
		if active && r.State == model.RecordPending {
			if r.ckpt, err = tx.Checkpoint(uid, i); err != nil {
				return err
			}
			r.offset.Store(r.ckpt.Offset)
		}
		f.downloaded.Add(r.offset.Load())
	}
	f.recs = recs
	if !active {
		// History: the records stay in the store (state.go).
		f.coldKnown, f.coldUploaded = f.knownTotal(), f.uploadedBytes()
		f.recs, f.cold = nil, true
	}
	return nil
}

// decodeRecords reads the stored documents of uid's records, in order.
func decodeRecords(uid string, docs [][]byte, active bool) ([]*record, error) {
	recs := make([]*record, 0, len(docs))
	for i, d := range docs {
		r, err := decodeRecord(d, i, active)
		if err != nil {
			return nil, fmt.Errorf("registration %s: %w", uid, err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// decodeRecord reads the stored document of record i; active tells
// whether its fetch is (a settled fetch's unfinished records were
// aborted). The checkpoint is the caller's to load.
func decodeRecord(doc []byte, i int, active bool) (*record, error) {
	var rec storedRecord
	if err := json.Unmarshal(doc, &rec); err != nil || rec.Index != i {
		return nil, fmt.Errorf("unreadable record %d", i)
	}
	r := &record{Record: rec.Record, reason: rec.Reason, saved: true, host: hostKey(rec.Request.URL), uploadSize: rec.UploadSize}
	if n := int64(len(rec.Request.Body)); n > 0 {
		r.uploadSize = n // stored before upload.go: the body stays in the record
	}
	if r.State == model.RecordRunning {
		r.State = model.RecordPending
	}
	if !active && !r.finished() {
		r.State = model.RecordAborted
	}
	if r.finished() {
		r.offset.Store(r.Downloaded)
	}
	r.uploaded.Store(r.uploadedPersisted())
	return r, nil
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
	m.flush()  // what finished must be stored before we go
	m.cancel() // interrupts moves to a destination; they run again at the next start
	m.settles.Wait()
	m.loops.Wait()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.publishProgressLocked()
	return nil
}

// Outbox is the queue of durable events (for streams and handler delivery).
func (m *Manager) Outbox() *Outbox { return &m.outbox }

// Handlers are the apps' default handlers and the choice of an event's handler.
func (m *Manager) Handlers() *Handlers { return &m.handlers }

// Icons is the cache of fetched icon bytes.
func (m *Manager) Icons() *IconCache { return &m.icons }

// Activity is the number of events published so far: it moves while
// fetches are registered, transfer or settle (internal/memtrim).
func (m *Manager) Activity() uint64 { return m.bus.sent.Load() }

// Subscribe returns a subscription to the events of uid ("" for all).
func (m *Manager) Subscribe(uid string) *Subscription { return m.bus.subscribe(uid) }

func newUID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return "r_" + hex.EncodeToString(b[:])
}

// lookup finds a kept registration. m.mu held.
func (m *Manager) lookup(uid string) (*fetch, error) {
	f := m.fetches[uid]
	if f == nil {
		return nil, model.NotFoundf("no registration %q", uid)
	}
	return f, nil
}

// lockOps finds uid's fetch and takes its ops lock, which the caller
// releases; a NotFoundError when it is not kept, or was forgotten while
// the caller waited for the lock.
func (m *Manager) lockOps(uid string) (*fetch, error) {
	f, err := m.find(uid)
	if err != nil {
		return nil, err
	}
	f.ops.Lock()
	m.mu.Lock()
	kept := m.fetches[uid] == f
	m.mu.Unlock()
	if !kept {
		f.ops.Unlock()
		return nil, model.NotFoundf("no registration %q", uid)
	}
	return f, nil
}

// find is lookup taking the lock.
func (m *Manager) find(uid string) (*fetch, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lookup(uid)
}
