package downloads

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Transfer control of one fetch (PATCH), retry, and the history.

// Update changes an active fetch's priority, speed limit, connections or
// metered policy; running transfers follow within a second (the limiter
// at once, segments at their next tick, a metered gate at once). A bad
// value is a TypeError naming the field and changes nothing; a settled
// fetch is an InvalidStateError.
func (m *Manager) Update(uid string, p model.RegistrationPatch) (model.Registration, error) {
	if err := validateControl(p); err != nil {
		return model.Registration{}, err
	}
	var oldRank int
	err := m.updateFetch(uid, func(f *fetch, sr *storedRegistration) (bool, error) {
		if !f.reg.Active() || f.settling {
			return false, model.InvalidStatef("the fetch %s has settled", uid)
		}
		oldRank = f.rank()
		applyControl(&sr.Registration, p)
		return true, nil
	}, func(f *fetch) {
		applyControl(&f.reg, p)
		f.limiter.SetRate(f.reg.MaxBytesPerSecond)
		m.changeQueue(f, oldRank)
		m.stopIfGated(f)
		m.markReady(f)
		m.schedule()
	})
	if err != nil {
		return model.Registration{}, err
	}
	return m.Registration(uid)
}

func applyControl(reg *model.Registration, p model.RegistrationPatch) {
	if p.Priority != nil {
		reg.Priority = *p.Priority
	}
	if p.MaxBytesPerSecond != nil {
		reg.MaxBytesPerSecond = *p.MaxBytesPerSecond
	}
	if p.Connections != nil {
		reg.Connections = *p.Connections
	}
	if p.Metered != nil {
		reg.Metered = *p.Metered
	}
}

// Retry registers a settled, failed (or aborted) fetch again: same app,
// id, requests, title, icons, downloadTotal, destination, handler and
// options, with retryOf naming the old uid (api.md). Bodies of GET
// requests that the old fetch left in the data dir move to the new one
// with their checkpoints, so the new transfers resume them (If-Range: a
// changed resource starts over); the old registration's records are then
// released.
func (m *Manager) Retry(uid string) (model.Registration, error) {
	m.mu.Lock()
	f, err := m.lookup(uid)
	if err == nil {
		switch {
		case f.reg.Active() || f.settling:
			err = model.InvalidStatef("the fetch %s is still active", uid)
		case f.reg.Result != model.ResultFailure:
			err = model.InvalidStatef("the fetch %s succeeded; only a failed or cancelled fetch can be retried", uid)
		}
	}
	m.mu.Unlock()
	if err != nil {
		return model.Registration{}, err
	}
	recs, err := m.recordsOf(f)
	if err != nil {
		return model.Registration{}, err
	}
	m.mu.Lock()
	req, app := retryRequest(f, recs), f.reg.App
	m.mu.Unlock()
	if err := m.readUploads(f, recs, req.Requests); err != nil { // upload.go: not kept in memory
		return model.Registration{}, err
	}
	reg, err := m.register(app, req, func(nf *fetch) error {
		nf.reg.RetryOf = uid
		return m.takeBodies(f, recs, nf)
	})
	if model.AsError(err) != nil && model.AsError(err).Duplicate {
		return model.Registration{}, model.InvalidStatef("the id %q is active again", req.ID)
	}
	if err != nil {
		return model.Registration{}, err
	}
	if err := m.Release(uid); err != nil {
		m.log.Warn("release the retried registration", "uid", uid, "err", err)
	}
	return reg, nil
}

// retryRequest is the fetch() call that registered f, whose records are
// recs. m.mu held.
func retryRequest(f *fetch, recs []*record) model.FetchRequest {
	req := model.FetchRequest{
		ID: f.reg.ID, Title: f.reg.Title, Icons: f.reg.Icons, DownloadTotal: f.reg.DownloadTotal,
		Destination: f.reg.Destination, Handler: f.reg.Handler, Priority: f.reg.Priority,
		MaxBytesPerSecond: f.reg.MaxBytesPerSecond, Connections: f.reg.Connections, Metered: f.reg.Metered,
	}
	for _, r := range recs {
		req.Requests = append(req.Requests, r.Request)
	}
	return req
}

// takeBodies moves the reusable bodies of old (GET records with a
// validator whose partial or complete body is still in the data dir) to
// the new fetch nf, with checkpoints that resume them. nf is not shared
// yet.
func (m *Manager) takeBodies(old *fetch, oldRecs []*record, nf *fetch) error {
	// A cancelled transfer may still be storing its last checkpoint.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		m.mu.Lock()
		running := false
		for _, r := range old.recs {
			running = running || r.running
		}
		if !running || time.Now().After(deadline) {
			break // with m.mu held
		}
		m.mu.Unlock()
	}
	type move struct {
		from, to string
		ck       persistence.Checkpoint
		i        int
	}
	var moves []move
	for i, r := range oldRecs {
		if r.running {
			continue // still winding down: fetched again
		}
		src := m.partialPath(old, r)
		ck := reusableCheckpoint(r)
		if r.Request.Method != "GET" || ifRangeValue(ck) == "" || (ck.Stored() == 0) {
			continue
		}
		if r.Response != nil && r.Response.Path != "" && r.Response.Path != src {
			continue // moved to a destination: the user's file now
		}
		moves = append(moves, move{from: src, to: m.partialPath(nf, nf.recs[i]), ck: ck, i: i})
	}
	m.mu.Unlock()
	for _, mv := range moves {
		if err := os.MkdirAll(filepath.Dir(mv.to), 0o700); err != nil {
			return err
		}
		if err := os.Rename(mv.from, mv.to); err != nil {
			continue // gone meanwhile: fetched again
		}
		nf.recs[mv.i].ckpt = mv.ck
		nf.recs[mv.i].offset.Store(mv.ck.Stored())
		nf.downloaded.Add(mv.ck.Stored())
	}
	return nil
}

// reusableCheckpoint is the resume point of r's body in the data dir: its
// checkpoint, or for a complete body all of it. m.mu held.
func reusableCheckpoint(r *record) persistence.Checkpoint {
	if r.State == model.RecordSuccess && r.Response != nil && r.Response.Status == 200 {
		h := r.Response.Headers
		ck := persistence.Checkpoint{Offset: r.offset.Load(), Total: r.Total, ETag: h["Etag"], LastModified: h["Last-Modified"]}
		if ck.ETag == "" {
			ck.ETag = h["ETag"]
		}
		if ck.Total == ck.Offset {
			return ck
		}
	}
	return r.ckpt
}

// HistoryQuery selects a page of GET /v1/registrations.
type HistoryQuery struct {
	State  string // "active", "settled" or "all" ("" is "all")
	Limit  int    // 1 to MaxPageSize (0: DefaultPageSize)
	Before string // the cursor of the page before ("": the newest)
}

// History is one page of app's kept registrations, newest first.
func (m *Manager) History(app string, q HistoryQuery) (model.RegistrationPage, error) {
	if q.State == "" {
		q.State = "all"
	}
	if q.State != "active" && q.State != "settled" && q.State != "all" {
		return model.RegistrationPage{}, model.TypeErrorf(`state must be "active", "settled" or "all", not %q`, q.State)
	}
	if q.Limit == 0 {
		q.Limit = model.DefaultPageSize
	}
	if q.Limit < 1 || q.Limit > model.MaxPageSize {
		return model.RegistrationPage{}, model.TypeErrorf("limit must be 1 to %d, not %d", model.MaxPageSize, q.Limit)
	}
	before, err := parseCursor(q.Before)
	if err != nil {
		return model.RegistrationPage{}, err
	}
	m.mu.Lock()
	var page []*fetch
	for _, f := range m.fetches {
		active := f.reg.Active()
		if f.reg.App != app || q.State == "active" && !active || q.State == "settled" && active {
			continue
		}
		if before == nil || newer(before, f) { // older than the cursor
			page = append(page, f)
		}
	}
	sort.Slice(page, func(i, j int) bool { return newer(page[i], page[j]) })
	out := model.RegistrationPage{Registrations: []model.Registration{}}
	for i, f := range page {
		if i == q.Limit {
			out.Next = cursorOf(page[i-1])
			break
		}
		out.Registrations = append(out.Registrations, m.snapshot(f))
	}
	m.mu.Unlock()
	return out, nil
}

// newer reports whether a is newer than b (created later; the uid breaks
// ties), the history's order.
func newer(a, b *fetch) bool {
	if !a.reg.CreatedAt.Equal(b.reg.CreatedAt) {
		return a.reg.CreatedAt.After(b.reg.CreatedAt)
	}
	return a.reg.UID > b.reg.UID
}

// A cursor names the last registration of a page: its creation time and uid.
func cursorOf(f *fetch) string {
	raw := strconv.FormatInt(f.reg.CreatedAt.UnixNano(), 10) + "." + f.reg.UID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseCursor(c string) (*fetch, error) {
	if c == "" {
		return nil, nil
	}
	bad := model.TypeErrorf("before must be a cursor from a page's next, not %q", c)
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	ns, uid, ok := strings.Cut(string(raw), ".")
	n, err := strconv.ParseInt(ns, 10, 64)
	if !ok || err != nil || !strings.HasPrefix(uid, "r_") {
		return nil, bad
	}
	return &fetch{reg: model.Registration{UID: uid, CreatedAt: time.Unix(0, n).UTC()}}, nil
}
