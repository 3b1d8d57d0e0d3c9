package downloads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
	"github.com/cavaliergopher/grab/v3"
)

// A transfer is one attempt at one record, through grab. It owns the
// request, the partial body, the offset it resumed from, the validators of
// the checkpoint and the byte counting; the scheduler starts it (run) and
// gets its outcome back.
//
// grab v3.0.1 has resume holes that this file closes:
//
//  1. it resumes from the local file's size, which may hold torn bytes
//     after a crash: preparePartial truncates to the last durable
//     checkpoint first;
//  2. it sends no If-Range: run adds the stored validator, so a changed
//     resource answers 200, never a mixed body;
//  3. it does not check Content-Range (a literal TODO) and appends any 200
//     to the partial: beforeCopy accepts a 206 only at the expected offset
//     with the expected total and validator (checkResume), and on a 200
//     truncates the partial so the new body starts at byte zero (grab
//     issue #18);
//  4. it treats a partial whose size equals the remote size as complete
//     without a GET: finish accepts that only when the HEAD's validator and
//     length match the checkpoint, else the record restarts from zero.
type transfer struct {
	m      *Manager
	f      *fetch
	r      *record
	path   string // the partial body
	isGET  bool
	offset int64 // where this attempt resumed
	grab   *grab.Client
	http   *http.Client
	limit  limiters // the fetch's and the global rate limits

	// Shared between grab's goroutine (beforeCopy) and the watcher.
	mu      sync.Mutex
	started bool  // beforeCopy ran: a GET response is being stored
	base    int64 // offset in the file where this response's bytes start
	skipped int64 // bytes grab counts as resumed (BytesComplete includes them)
	ck      persistence.Checkpoint
	bodyAt  time.Time // when beforeCopy let the body start
	// probeStart is closed by beforeCopy when the body starts with
	// splitIfSlow: only then does the watcher run the probe's ticker (a
	// connect to a blackholed host waits up to 30 s, and 1,000 such
	// records would each wake it 50 times a second).
	probeStart chan struct{}
}

// roomGate is grab's RateLimiter: after each chunk grab wrote, the
// store's room (checkRoom), then the speed limits.
type roomGate struct{ t *transfer }

func (g roomGate) WaitN(ctx context.Context, n int) error {
	if err := g.t.m.checkRoom(); err != nil {
		return err
	}
	return g.t.limit.WaitN(ctx, n)
}

// checkRoom fails as a full disk does (quota-exceeded) when less than
// persistence.DiskReserve is free where the bodies are: the store's
// mmap'd logs need it (a statfs per chunk written).
func (m *Manager) checkRoom() error {
	free, ok := diskFree(m.bodiesDir)
	if !ok || free >= persistence.DiskReserve || len(diskFullErrors) == 0 {
		return nil
	}
	return fmt.Errorf("%d bytes free on the data directory's disk, below the %d kept for the store: %w",
		free, int64(persistence.DiskReserve), diskFullErrors[0])
}

// partialPath is where a record's body lies while it downloads.
func (m *Manager) partialPath(f *fetch, r *record) string {
	return filepath.Join(m.bodiesDir, f.reg.UID, strconv.Itoa(r.Index))
}

// newTransfer prepares an attempt of r. m.mu held.
func (m *Manager) newTransfer(f *fetch, r *record) *transfer {
	return &transfer{m: m, f: f, r: r, path: m.partialPath(f, r), isGET: r.Request.Method == http.MethodGet, ck: r.ckpt,
		grab: m.grab, http: m.httpc, limit: limiters{f.limiter, m.global}, probeStart: make(chan struct{})}
}

// run makes one attempt. It returns nil when the body is complete, a
// *failure for a permanent failure, errRestart to start over from zero,
// or another error for classify.
func (t *transfer) run(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(t.path), 0o700); err != nil {
		return err
	}
	if len(t.ck.Segments) > 0 {
		return t.runSegments(ctx)
	}
	offset, err := preparePartial(t.path, &t.ck, t.isGET)
	if err != nil {
		return err
	}
	t.offset = offset
	t.f.setOffset(t.r, offset)
	t.r.attemptFrom = offset
	t.r.uploaded.Store(0)
	t.m.log.Debug("attempt", "uid", t.f.reg.UID, "index", t.r.Index, "offset", offset, "total", t.ck.Total)

	greq, err := newGrabRequest(ctx, t.path, t.r.Request, t.m.uploadOf(t.f, t.r), &t.r.uploaded)
	if err != nil {
		return failf(model.ReasonFetchError, "%v", err)
	}
	if offset > 0 {
		greq.HTTPRequest.Header.Set("If-Range", ifRangeValue(t.ck))
	}
	greq.BeforeCopy = t.beforeCopy
	greq.RateLimiter = roomGate{t}
	greq.BufferSize = min(t.m.copyBuffer(), t.limit.chunk())
	resp := t.grab.Do(greq)
	return t.watch(ctx, resp)
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

// position is the byte count stored so far, or fallback before beforeCopy.
func (t *transfer) position(resp *grab.Response, fallback int64) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started {
		return fallback
	}
	return t.base + resp.BytesComplete() - t.skipped
}

// beforeCopy judges the response before grab stores a byte of it.
func (t *transfer) beforeCopy(resp *grab.Response) error {
	hr := resp.HTTPResponse
	if err := statusVerdict(hr, t.r.statusRetries, t.m.cfg.StatusRetries); err != nil {
		t.r.statusRetries++
		return err
	}
	ck := t.ck
	var base, skipped int64
	total := hr.ContentLength
	if hr.StatusCode == http.StatusPartialContent {
		if !resp.DidResume || t.offset == 0 {
			return failf(model.ReasonFetchError, "the server answered 206 to a request without Range")
		}
		crTotal, err := checkResume(hr, t.offset, ck)
		if err != nil {
			return err
		}
		base, skipped, total = t.offset, t.offset, crTotal
	} else {
		// A full body (or an error body): it starts at byte zero.
		if resp.DidResume {
			// grab opened the partial for appending; empty it so the new
			// body is not appended to the old one. O_APPEND writes land
			// at the new end.
			if err := os.Truncate(t.path, 0); err != nil {
				return err
			}
			skipped = t.offset
			if t.offset > 0 {
				t.m.log.Info("resource changed or range ignored; refetching from zero", "uid", t.f.reg.UID, "index", t.r.Index, "discarded", t.offset)
			}
		}
		ck = persistence.Checkpoint{Total: -1, ETag: hr.Header.Get("ETag"), LastModified: hr.Header.Get("Last-Modified")}
		if hr.StatusCode/100 == 2 && total >= 0 {
			ck.Total = total
		}
	}
	if hr.StatusCode/100 == 2 {
		t.r.statusRetries = 0
	}
	if err := t.m.responded(t.f, t.r, hr, total, t.path); err != nil {
		return err
	}
	plan := oneStream
	if !resp.DidResume {
		plan = t.splits(hr, ck)
	}
	if plan == splitNow {
		// Not a byte stored: the next attempt fetches it in segments.
		ck.Segments = []persistence.Segment{{Start: 0, Pos: 0, End: ck.Total}}
		t.r.ckpt = ck
		return errSegment
	}
	// Nothing is stored here: the first checkpoint records the validators.
	// Until then a crash resumes from the previous checkpoint, whose
	// If-Range makes a changed resource answer 200, so the stale entry
	// can never splice old and new bytes.
	ck.Offset = base
	t.mu.Lock()
	t.started, t.base, t.skipped, t.ck = true, base, skipped, ck
	t.bodyAt = time.Now()
	t.mu.Unlock()
	if plan == splitIfSlow {
		close(t.probeStart) // grab calls BeforeCopy once per attempt
	}
	t.r.ckpt = ck
	return nil
}

// checkResume accepts a 206 only at offset, with the checkpoint's total
// and validator, and returns the total length it announces.
func checkResume(hr *http.Response, offset int64, ck persistence.Checkpoint) (int64, error) {
	start, _, crTotal, ok := parseContentRange(hr.Header.Get("Content-Range"))
	switch {
	case !ok || start != offset:
		return 0, failf(model.ReasonFetchError, "invalid 206: Content-Range %q does not start at byte %d", hr.Header.Get("Content-Range"), offset)
	case ck.Total >= 0 && crTotal != ck.Total:
		return 0, failf(model.ReasonFetchError, "invalid 206: total length %d, expected %d", crTotal, ck.Total)
	}
	if et := hr.Header.Get("ETag"); et != "" && ck.ETag != "" && et != ck.ETag {
		return 0, failf(model.ReasonFetchError, "invalid 206: ETag %s, expected %s", et, ck.ETag)
	}
	if lm := hr.Header.Get("Last-Modified"); lm != "" && ck.ETag == "" && ck.LastModified != "" && lm != ck.LastModified {
		return 0, failf(model.ReasonFetchError, "invalid 206: Last-Modified %s, expected %s", lm, ck.LastModified)
	}
	return crTotal, nil
}

// responded records a record's response and refuses it when the fetch's
// announced sizes exceed downloadTotal (spec A.5). The answer to a range
// bgfetch asked for is recorded as the full response it stands for (200,
// the whole length). Any answer means the host is reachable.
func (m *Manager) responded(f *fetch, r *record, hr *http.Response, total int64, path string) error {
	m.mu.Lock()
	m.hostReached(r.host)
	status, headers := hr.StatusCode, flattenHeaders(hr.Header)
	if status == http.StatusPartialContent {
		status = http.StatusOK
		delete(headers, "Content-Range")
		headers["Content-Length"] = strconv.FormatInt(total, 10)
	}
	r.Response = &model.Response{
		Status: status, StatusText: http.StatusText(status),
		Headers: headers, Size: total, Path: path,
	}
	r.Total = total
	r.Error, r.reason = "", model.ReasonNone
	if hr.StatusCode/100 != 2 {
		r.reason = model.ReasonBadStatus
		r.Error = "the server answered " + strconv.Itoa(hr.StatusCode) + " " + http.StatusText(hr.StatusCode)
	}
	known, limit := f.knownTotal(), f.reg.DownloadTotal
	m.mu.Unlock()
	if limit > 0 && known > limit {
		return failf(model.ReasonDownloadTotalExceeded, "the files add up to %d bytes, more than downloadTotal %d", known, limit)
	}
	return nil
}

// watch follows a running grab transfer: progress, checkpoints, stalls and
// limits; then finishes the attempt.
func (t *transfer) watch(ctx context.Context, resp *grab.Response) error {
	cfg := &t.m.cfg
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastCk, lastCkOff := time.Now(), t.offset
	lastMove, lastOff := time.Now(), t.offset
	probeStart := t.probeStart
	var probe *time.Ticker
	var probeTick <-chan time.Time
	defer func() {
		if probe != nil {
			probe.Stop()
		}
	}()
	var stopReason error
	for stopReason == nil {
		select {
		case <-resp.Done:
			return t.finish(ctx, resp)
		case <-probeStart:
			probeStart = nil
			probe = time.NewTicker(probeStep)
			probeTick = probe.C
		case now := <-probeTick:
			decided, split := t.probe(now, t.position(resp, t.offset))
			if split {
				stopReason = errSegment
			}
			if decided {
				probe.Stop()
				probeTick = nil
			}
		case now := <-tick.C:
			pos := t.position(resp, t.offset)
			t.f.setOffset(t.r, pos)
			if pos != lastOff {
				lastOff, lastMove = pos, now
			} else if now.Sub(lastMove) > cfg.StallTimeout {
				stopReason = errStalled
			}
			if err := t.m.overLimits(t.f); err != nil {
				stopReason = err
			}
			if t.isGET && pos > lastCkOff && (now.Sub(lastCk) >= cfg.CheckpointInterval || pos-lastCkOff >= cfg.CheckpointBytes) {
				t.checkpointLogged(pos)
				lastCk, lastCkOff = now, pos
			}
		}
	}
	resp.Cancel()
	<-resp.Done
	if errors.Is(stopReason, errSegment) {
		if resp.Err() == nil {
			return t.finish(ctx, resp) // the body ended meanwhile
		}
		return t.splitAt(t.position(resp, t.offset))
	}
	t.saveFinalCheckpoint(resp, t.offset)
	return stopReason
}

// overLimits is the failure of a fetch whose bodies outgrew downloadTotal
// or the quota, else nil.
func (m *Manager) overLimits(f *fetch) error {
	if lim := f.reg.DownloadTotal; lim > 0 && f.downloaded.Load() > lim {
		return failf(model.ReasonDownloadTotalExceeded, "more than downloadTotal %d bytes arrived", lim)
	}
	if q := m.cfg.QuotaBytes; q > 0 && m.usedBytes() > q {
		return failf(model.ReasonQuotaExceeded, "the bodies exceed the configured quota of %d bytes", q)
	}
	return nil
}

// finish ends an attempt whose grab transfer is done.
func (t *transfer) finish(ctx context.Context, resp *grab.Response) error {
	err := resp.Err()
	t.mu.Lock()
	started, ck := t.started, t.ck
	t.mu.Unlock()
	if err != nil {
		t.m.log.Debug("attempt failed", "uid", t.f.reg.UID, "index", t.r.Index, "started", started, "err", err)
		if errors.Is(err, grab.ErrBadLength) {
			return t.restart() // the local partial is longer than the remote resource
		}
		t.saveFinalCheckpoint(resp, ck.Offset)
		if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
			return cause
		}
		return err
	}
	pos := t.position(resp, ck.Offset)
	if !started {
		// grab found the partial as long as the remote resource and made
		// no GET. Trust it only if the resource is provably the same.
		if !sameResource(resp.HTTPResponse, ck, pos) {
			return t.restart()
		}
		t.m.mu.Lock()
		t.m.hostReached(t.r.host)
		t.r.Response = &model.Response{Status: http.StatusOK, StatusText: "OK", Headers: flattenHeaders(resp.HTTPResponse.Header), Size: ck.Total, Path: t.path}
		t.r.Total = ck.Total
		t.m.mu.Unlock()
	}
	t.f.setOffset(t.r, pos)
	if t.r.Total >= 0 && pos != t.r.Total && t.r.reason == model.ReasonNone {
		if pos > t.r.Total {
			return t.restart()
		}
		t.checkpointLogged(pos)
		return io.ErrUnexpectedEOF // resume the rest
	}
	return t.complete()
}

// complete ends an attempt whose body is all there: the integrity check
// (a mismatch discards the body), then the flusher (durability.go) makes
// it durable and stores the record's final state, before the fetch
// settles.
func (t *transfer) complete() error {
	if t.r.Request.Integrity == "" || t.r.reason != model.ReasonNone {
		return nil
	}
	if err := checkIntegrity(t.path, t.r.Request.Integrity); err != nil {
		os.Remove(t.path)
		t.m.mu.Lock()
		t.r.Response.Path = ""
		t.m.mu.Unlock()
		t.f.setOffset(t.r, 0)
		return err
	}
	return nil
}

// sameResource reports whether a HEAD answer proves that the resource is
// the one the checkpoint describes, fully stored (pos bytes).
func sameResource(head *http.Response, ck persistence.Checkpoint, pos int64) bool {
	return head != nil && ck.Total >= 0 && head.ContentLength == ck.Total && pos == ck.Total &&
		((ck.ETag != "" && head.Header.Get("ETag") == ck.ETag) ||
			(ck.ETag == "" && ck.LastModified != "" && head.Header.Get("Last-Modified") == ck.LastModified))
}

// restart discards the partial and its checkpoint.
func (t *transfer) restart() error {
	if err := os.Remove(t.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	ck := persistence.Checkpoint{Total: -1}
	if err := t.saveCheckpoint(ck); err != nil {
		return err
	}
	t.f.setOffset(t.r, 0)
	return errRestart
}

// saveFinalCheckpoint checkpoints what an interrupted GET stored.
func (t *transfer) saveFinalCheckpoint(resp *grab.Response, fallback int64) {
	t.mu.Lock()
	started := t.started
	t.mu.Unlock()
	if !t.isGET || !started {
		return
	}
	pos := t.position(resp, fallback)
	t.f.setOffset(t.r, pos)
	t.checkpointLogged(pos)
}

func (t *transfer) checkpointLogged(pos int64) {
	if err := t.checkpoint(pos); err != nil {
		t.m.log.Warn("checkpoint", "uid", t.f.reg.UID, "index", t.r.Index, "err", err)
	}
}

// checkpoint is the one place that writes resume points: fsync the partial
// first, then record the offset, so the store never points past durable
// bytes.
func (t *transfer) checkpoint(pos int64) error {
	if err := syncFile(t.path); err != nil {
		return err
	}
	t.mu.Lock()
	t.ck.Offset = pos
	ck := t.ck
	t.mu.Unlock()
	return t.saveCheckpoint(ck)
}

// saveCheckpoint stores ck as the record's resume point; every byte it
// counts must be durable already (checkpoint, checkpointSegments and
// splitAt sync first; restart counts none).
func (t *transfer) saveCheckpoint(ck persistence.Checkpoint) error {
	if err := t.m.store.Update(func(tx *persistence.Tx) error { return tx.PutCheckpoint(t.f.reg.UID, t.r.Index, ck) }); err != nil {
		return err
	}
	t.r.ckpt = ck
	return nil
}

// syncFile makes path's data durable. The handle is opened for writing:
// Windows' FlushFileBuffers refuses a read-only handle ("Access denied"),
// which failed every checkpoint there.
func syncFile(path string) error {
	fh, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer fh.Close()
	return fh.Sync()
}
