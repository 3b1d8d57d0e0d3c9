package downloads

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/persistence"
	"github.com/cavaliergopher/grab/v3"
)

// A transfer is one attempt at one record, through grab. grab v3.0.1 has
// resume holes that this file closes:
//
//  1. it resumes from the local file's size, which may hold torn bytes
//     after a crash: preparePartial truncates to the last durable
//     checkpoint first;
//  2. it sends no If-Range: newGrabRequest's caller adds the stored
//     validator, so a changed resource answers 200, never a mixed body;
//  3. it does not check Content-Range (a literal TODO) and appends any 200
//     to the partial: beforeCopy accepts a 206 only at the expected offset
//     with the expected total and validator, and on a 200 truncates the
//     partial so the new body starts at byte zero (grab issue #18);
//  4. it treats a partial whose size equals the remote size as complete
//     without a GET: finish accepts that only when the HEAD's validator and
//     length match the checkpoint, else the record restarts from zero.

// partialPath is where a record's body lies while it downloads.
func (m *Manager) partialPath(f *fetch, r *record) string {
	return filepath.Join(m.bodiesDir, f.reg.UID, strconv.Itoa(r.Index))
}

// attempt is the state one transfer shares between grab's goroutine
// (beforeCopy) and the watching goroutine.
type attempt struct {
	mu      sync.Mutex
	started bool  // beforeCopy ran: a GET response is being stored
	base    int64 // offset in the file where this response's bytes start
	skipped int64 // bytes grab counts as resumed (BytesComplete includes them)
	ck      persistence.Checkpoint
}

func (a *attempt) position(resp *grab.Response, fallback int64) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started {
		return fallback
	}
	return a.base + resp.BytesComplete() - a.skipped
}

// transfer runs one attempt of r. It returns nil when the body is complete
// and durable, a *failure for a permanent failure, errRestart to start over
// from zero, or another error for classify.
func (m *Manager) transfer(ctx context.Context, f *fetch, r *record) error {
	path := m.partialPath(f, r)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	isGET := r.Request.Method == http.MethodGet
	a := &attempt{ck: r.ckpt}
	offset, err := preparePartial(path, &a.ck, isGET)
	if err != nil {
		return err
	}
	m.setOffset(f, r, offset)
	r.attemptFrom = offset
	r.uploaded.Store(0)
	m.log.Debug("attempt", "uid", f.reg.UID, "index", r.Index, "offset", offset, "total", a.ck.Total)

	greq, err := newGrabRequest(ctx, path, r.Request, &r.uploaded)
	if err != nil {
		return failf(ReasonFetchError, "%v", err)
	}
	if offset > 0 {
		greq.HTTPRequest.Header.Set("If-Range", ifRangeValue(a.ck))
	}
	greq.BeforeCopy = func(resp *grab.Response) error { return m.beforeCopy(f, r, a, offset, path, resp) }
	resp := m.grab.Do(greq)
	return m.watch(ctx, f, r, a, resp, offset, path)
}

// preparePartial makes the partial file agree with the checkpoint and
// returns the offset to resume from (0: start over, file removed).
func preparePartial(path string, ck *persistence.Checkpoint, isGET bool) (int64, error) {
	restart := func() (int64, error) {
		*ck = persistence.Checkpoint{Total: -1}
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return 0, err
		}
		return 0, nil
	}
	if !isGET || ck.Offset == 0 || ifRangeValue(*ck) == "" {
		// Nothing durable, a request that cannot resume, or no validator
		// to prove the resource is unchanged.
		return restart()
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Size() < ck.Offset {
		// Missing or truncated behind our back: the checkpoint lies.
		return restart()
	}
	if fi.Size() > ck.Offset {
		// Bytes after the last checkpoint may be torn: drop them.
		if err := os.Truncate(path, ck.Offset); err != nil {
			return 0, err
		}
	}
	return ck.Offset, nil
}

// ifRangeValue is the validator for If-Range: a strong ETag, else
// Last-Modified (weak ETags are not allowed in If-Range).
func ifRangeValue(ck persistence.Checkpoint) string {
	if ck.ETag != "" && !strings.HasPrefix(ck.ETag, "W/") {
		return ck.ETag
	}
	return ck.LastModified
}

// beforeCopy judges the response before grab stores a byte of it.
func (m *Manager) beforeCopy(f *fetch, r *record, a *attempt, offset int64, path string, resp *grab.Response) error {
	hr := resp.HTTPResponse
	if err := statusVerdict(hr, r.statusRetries, m.cfg.StatusRetries); err != nil {
		r.statusRetries++
		return err
	}
	ck := a.ck
	var base, skipped int64
	total := hr.ContentLength
	switch {
	case hr.StatusCode == http.StatusPartialContent:
		if !resp.DidResume || offset == 0 {
			return failf(ReasonFetchError, "the server answered 206 to a request without Range")
		}
		start, _, crTotal, ok := parseContentRange(hr.Header.Get("Content-Range"))
		if !ok || start != offset {
			return failf(ReasonFetchError, "invalid 206: Content-Range %q does not start at byte %d", hr.Header.Get("Content-Range"), offset)
		}
		if ck.Total >= 0 && crTotal != ck.Total {
			return failf(ReasonFetchError, "invalid 206: total length %d, expected %d", crTotal, ck.Total)
		}
		if et := hr.Header.Get("ETag"); et != "" && ck.ETag != "" && et != ck.ETag {
			return failf(ReasonFetchError, "invalid 206: ETag %s, expected %s", et, ck.ETag)
		}
		if lm := hr.Header.Get("Last-Modified"); lm != "" && ck.ETag == "" && ck.LastModified != "" && lm != ck.LastModified {
			return failf(ReasonFetchError, "invalid 206: Last-Modified %s, expected %s", lm, ck.LastModified)
		}
		base, skipped, total = offset, offset, crTotal
	default:
		// A full body (or an error body): it starts at byte zero.
		if resp.DidResume {
			// grab opened the partial for appending; empty it so the new
			// body is not appended to the old one. O_APPEND writes land
			// at the new end.
			if err := os.Truncate(path, 0); err != nil {
				return err
			}
			skipped = offset
			if offset > 0 {
				m.log.Info("resource changed or range ignored; refetching from zero", "uid", f.reg.UID, "index", r.Index, "discarded", offset)
			}
		}
		ck = persistence.Checkpoint{Total: -1, ETag: hr.Header.Get("ETag"), LastModified: hr.Header.Get("Last-Modified")}
		if hr.StatusCode/100 == 2 && total >= 0 {
			ck.Total = total
		}
	}
	if hr.StatusCode/100 == 2 {
		r.statusRetries = 0
	}

	m.mu.Lock()
	r.Response = &Response{
		Status: hr.StatusCode, StatusText: http.StatusText(hr.StatusCode),
		Headers: flattenHeaders(hr.Header), Size: total, Path: path,
	}
	r.Total = total
	r.Error, r.reason = "", ReasonNone
	if hr.StatusCode/100 != 2 {
		r.reason = ReasonBadStatus
		r.Error = fmt.Sprintf("the server answered %d %s", hr.StatusCode, http.StatusText(hr.StatusCode))
	}
	var known int64
	for _, o := range f.recs {
		if o.Total > 0 {
			known += o.Total
		}
	}
	limit := f.reg.DownloadTotal
	m.mu.Unlock()
	if limit > 0 && known > limit {
		return failf(ReasonDownloadTotalExceeded, "the files add up to %d bytes, more than downloadTotal %d", known, limit)
	}

	// Nothing is stored here: the first checkpoint records the validators.
	// Until then a crash resumes from the previous checkpoint, whose
	// If-Range makes a changed resource answer 200, so the stale entry
	// can never splice old and new bytes.
	ck.Offset = base
	a.mu.Lock()
	a.started, a.base, a.skipped, a.ck = true, base, skipped, ck
	a.mu.Unlock()
	r.ckpt = ck
	return nil
}

// watch follows a running grab transfer: progress, checkpoints, stalls and
// limits; then finishes the attempt.
func (m *Manager) watch(ctx context.Context, f *fetch, r *record, a *attempt, resp *grab.Response, offset int64, path string) error {
	isGET := r.Request.Method == http.MethodGet
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastCk, lastCkOff := time.Now(), offset
	lastMove, lastOff := time.Now(), offset
	var stopReason error
	for stopReason == nil {
		select {
		case <-resp.Done:
			return m.finish(ctx, f, r, a, resp, path)
		case now := <-tick.C:
			pos := a.position(resp, offset)
			m.setOffset(f, r, pos)
			if pos != lastOff {
				lastOff, lastMove = pos, now
			} else if now.Sub(lastMove) > m.cfg.StallTimeout {
				stopReason = errStalled
			}
			if lim := f.reg.DownloadTotal; lim > 0 && f.downloaded.Load() > lim {
				stopReason = failf(ReasonDownloadTotalExceeded, "more than downloadTotal %d bytes arrived", lim)
			}
			if q := m.cfg.QuotaBytes; q > 0 && m.usedBytes() > q {
				stopReason = failf(ReasonQuotaExceeded, "the bodies exceed the configured quota of %d bytes", q)
			}
			if isGET && pos > lastCkOff && (now.Sub(lastCk) >= m.cfg.CheckpointInterval || pos-lastCkOff >= m.cfg.CheckpointBytes) {
				if err := m.checkpoint(f, r, a, path, pos); err != nil {
					m.log.Warn("checkpoint", "uid", f.reg.UID, "index", r.Index, "err", err)
				}
				lastCk, lastCkOff = now, pos
			}
		}
	}
	resp.Cancel()
	<-resp.Done
	if isGET {
		m.saveFinalCheckpoint(f, r, a, resp, offset, path)
	}
	return stopReason
}

// finish ends an attempt whose grab transfer is done.
func (m *Manager) finish(ctx context.Context, f *fetch, r *record, a *attempt, resp *grab.Response, path string) error {
	isGET := r.Request.Method == http.MethodGet
	err := resp.Err()
	a.mu.Lock()
	started, ck := a.started, a.ck
	a.mu.Unlock()
	if err != nil {
		m.log.Debug("attempt failed", "uid", f.reg.UID, "index", r.Index, "started", started, "err", err)
		if errors.Is(err, grab.ErrBadLength) {
			// The local partial is longer than the remote resource.
			return m.restartRecord(f, r, path)
		}
		if isGET {
			m.saveFinalCheckpoint(f, r, a, resp, ck.Offset, path)
		}
		if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
			return cause
		}
		return err
	}
	pos := a.position(resp, ck.Offset)
	m.log.Debug("attempt done", "uid", f.reg.UID, "index", r.Index, "pos", pos, "started", started, "err", err)
	if !started {
		// grab found the partial as long as the remote resource and made
		// no GET. Trust it only if the resource is provably the same.
		head := resp.HTTPResponse
		same := head != nil && ck.Total >= 0 && head.ContentLength == ck.Total && pos == ck.Total &&
			((ck.ETag != "" && head.Header.Get("ETag") == ck.ETag) ||
				(ck.ETag == "" && ck.LastModified != "" && head.Header.Get("Last-Modified") == ck.LastModified))
		if !same {
			return m.restartRecord(f, r, path)
		}
		m.mu.Lock()
		r.Response = &Response{Status: http.StatusOK, StatusText: "OK", Headers: flattenHeaders(head.Header), Size: ck.Total, Path: path}
		r.Total = ck.Total
		m.mu.Unlock()
	}
	m.setOffset(f, r, pos)
	if r.Total >= 0 && pos != r.Total && r.reason == ReasonNone {
		if pos > r.Total {
			return m.restartRecord(f, r, path)
		}
		m.checkpoint(f, r, a, path, pos)
		return io.ErrUnexpectedEOF // resume the rest
	}
	if r.Request.Integrity != "" && r.reason == ReasonNone {
		if err := checkIntegrity(path, r.Request.Integrity); err != nil {
			os.Remove(path)
			m.mu.Lock()
			r.Response.Path = ""
			m.mu.Unlock()
			m.setOffset(f, r, 0)
			return err
		}
	}
	// The body is made durable and the record's final state stored in a
	// batch by the flusher (durability.go), before the fetch settles.
	return nil
}

// restartRecord discards the partial and its checkpoint.
func (m *Manager) restartRecord(f *fetch, r *record, path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	ck := persistence.Checkpoint{Total: -1}
	if err := m.store.Update(func(tx *persistence.Tx) error { return tx.PutCheckpoint(f.reg.UID, r.Index, ck) }); err != nil {
		return err
	}
	r.ckpt = ck
	m.setOffset(f, r, 0)
	return errRestart
}

// saveFinalCheckpoint checkpoints what an interrupted attempt stored.
func (m *Manager) saveFinalCheckpoint(f *fetch, r *record, a *attempt, resp *grab.Response, offset int64, path string) {
	a.mu.Lock()
	started := a.started
	a.mu.Unlock()
	if !started {
		return
	}
	pos := a.position(resp, offset)
	m.setOffset(f, r, pos)
	if err := m.checkpoint(f, r, a, path, pos); err != nil {
		m.log.Warn("checkpoint", "uid", f.reg.UID, "index", r.Index, "err", err)
	}
}

// checkpoint is the one place that writes resume points: fsync the partial
// first, then record the offset, so the store never points past durable
// bytes.
func (m *Manager) checkpoint(f *fetch, r *record, a *attempt, path string, pos int64) error {
	if err := syncFile(path); err != nil {
		return err
	}
	a.mu.Lock()
	a.ck.Offset = pos
	ck := a.ck
	a.mu.Unlock()
	if err := m.store.Update(func(tx *persistence.Tx) error { return tx.PutCheckpoint(f.reg.UID, r.Index, ck) }); err != nil {
		return err
	}
	r.ckpt = ck
	return nil
}

func syncFile(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	return fh.Sync()
}

// setOffset publishes a record's stored byte count.
func (m *Manager) setOffset(f *fetch, r *record, v int64) {
	old := r.offset.Swap(v)
	f.downloaded.Add(v - old)
}

func checkIntegrity(path, integrity string) error {
	want, err := parseIntegrity(integrity)
	if err != nil {
		return failf(ReasonFetchError, "%v", err)
	}
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
		return failf(ReasonFetchError, "integrity check failed: the body's SHA-256 does not match %s", integrity)
	}
	return nil
}

// parseContentRange parses "bytes first-last/total" (total must be known).
func parseContentRange(v string) (first, last, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	first, err1 = strconv.ParseInt(a, 10, 64)
	last, err2 = strconv.ParseInt(b, 10, 64)
	total, err3 = strconv.ParseInt(tot, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || first < 0 || last < first || total <= last {
		return 0, 0, 0, false
	}
	return first, last, total, true
}

func flattenHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ", ")
	}
	return out
}
