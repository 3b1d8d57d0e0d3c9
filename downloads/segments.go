package downloads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Segmented transfers: a large GET from a server that honours ranges with
// a strong validator is fetched over several connections at once, each a
// range of one partial file, each resumed on its own from the durable
// checkpoint (persistence.Segment: start, stored up to, end).
//
// grab drives single streams (transfer.go): it writes a file from its own
// offset or by appending, and always asks for "bytes=N-", so it can bound
// no range and write into no region of a shared file. Segments are
// therefore fetched by the workers below over the same HTTP client, with
// the same checks: checkResume for every 206 (start, total, validator),
// statusVerdict and classify for errors, the same rate limiters, and the
// one checkpoint order (fsync, then store). A 200 to a ranged request (the
// resource changed, or the server stopped honouring ranges) restarts the
// whole file from zero as a single stream: bytes of two versions never mix.
//
// A worker that finishes its range takes an unowned one, else splits the
// largest remaining range in two. Every worker but the first holds a
// connection slot of its own (Manager.grantSlot) and gives it back when a
// fetch waits for one, so segments share maxConnections fairly.

// errSegment ends a single-stream attempt before it stores a byte, or in
// automatic mode once the probe found the stream slow: the body is large
// and the server honours ranges, so the next attempt fetches it in
// segments.
var errSegment = errors.New("the body will be fetched in segments")

// errShed stops a worker that gives its slot back (not a failure).
var errShed = errors.New("segment worker gives its slot back")

const (
	// minSplit: a range is split only if both halves get at least this.
	minSplit = 2 << 20
	// autoSegmentSize: automatic mode gives each segment this many bytes,
	// at most MaxConnectionsPerFile segments (as aria2c -x16 -k4M would).
	autoSegmentSize = 4 << 20
	// autoMinSize: automatic mode fetches smaller files in one stream.
	autoMinSize = 16 << 20
	// probeWindow, fastStream: automatic mode starts a large body as one
	// stream and splits it only if that stream, probeWindow after its
	// first byte, has run slower than fastStream. One fast stream is what
	// a local server or LAN gives (loopback: 500+ MiB/s here, a 1 Gbit/s
	// link's 110 MiB/s); there sixteen streams only cost CPU (2 GiB on
	// loopback took about 1.5× as long in 16 segments as in one: 4.4 s
	// against 3.0 s, medians of 3). A capped server, a long or lossy link
	// or TCP's slow start at any real RTT makes the first 100 ms slower
	// than that, and those are the cases
	// segments are for.
	//
	// A stream below an eighth of that 40 ms in is split then: on a long
	// link the first round trips say enough, and every 100 ms of waiting
	// is 100 ms of 16 connections lost (an 80 ms link's first 40 ms bring
	// at most one 64 KiB window). A capped server's first burst can look
	// fast that early (nginx lets a second's worth out at once).
	probeWindow = 100 * time.Millisecond
	probeEarly  = 40 * time.Millisecond
	probeStep   = 20 * time.Millisecond
	fastStream  = 64 << 20
)

// wantedSegments is how many connections r's body may use: the fetch's
// connections, else the setting connectionsPerFile, else automatic (0).
// m.mu held.
func (m *Manager) wantedSegments(f *fetch) int {
	if f.reg.Connections > 0 {
		return f.reg.Connections
	}
	return m.settings.ConnectionsPerFile
}

// splitPlan is what a fresh 200 answer is worth.
type splitPlan int

const (
	oneStream   splitPlan = iota // fetch it in one stream
	splitNow                     // fetch it in segments from the start
	splitIfSlow                  // automatic: one stream, split if the probe finds it slow
)

// splits judges a fresh 200 answer: segments need a GET, a known length
// large enough, byte ranges and a validator that If-Range can carry.
func (t *transfer) splits(hr *http.Response, ck persistence.Checkpoint) splitPlan {
	t.m.mu.Lock()
	want := t.m.wantedSegments(t.f)
	t.m.mu.Unlock()
	total := ck.Total
	switch {
	case !t.isGET || hr.StatusCode != http.StatusOK || total <= 0 || want == 1:
		return oneStream
	case !strings.Contains(strings.ToLower(hr.Header.Get("Accept-Ranges")), "bytes") || ifRangeValue(ck) == "":
		return oneStream
	case want == 0 && total >= autoMinSize:
		return splitIfSlow
	case want > 1 && total >= 2*minSplit:
		return splitNow
	}
	return oneStream
}

// probe is the automatic split decision for a stream whose body started
// with splitIfSlow (the watcher asks only then, until decided), at now with
// pos bytes stored: decided once the stream has run probeWindow, or
// probeEarly if clearly slow; split when it ran slower than fastStream,
// its own speed limits were not what held it back, and enough is left to
// share.
func (t *transfer) probe(now time.Time, pos int64) (decided, split bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	elapsed := now.Sub(t.bodyAt)
	if elapsed < probeEarly {
		return false, false
	}
	rate := float64(pos-t.base) / elapsed.Seconds()
	fast := float64(t.m.cfg.fastStream)
	if elapsed < probeWindow && rate >= fast/8 {
		return false, false // not clearly slow yet
	}
	if lim := t.limit.lowest(); lim > 0 && rate >= float64(lim)/2 {
		return true, false // the limit, not the path, sets the pace
	}
	return true, rate < fast && t.ck.Total-pos >= 2*minSplit
}

// splitAt ends a probed stream stopped at pos: its bytes become the first
// segment's, durable before the checkpoint says so, and the next attempt
// fetches the rest in segments.
func (t *transfer) splitAt(pos int64) error {
	t.mu.Lock()
	ck := t.ck
	t.mu.Unlock()
	ck.Offset = 0
	ck.Segments = []persistence.Segment{{Start: 0, Pos: pos, End: ck.Total}}
	if err := syncFile(t.path); err != nil {
		return err
	}
	if err := t.saveCheckpoint(ck); err != nil {
		return err
	}
	t.f.setOffset(t.r, pos)
	t.m.log.Debug("splitting a slow stream", "uid", t.f.reg.UID, "index", t.r.Index, "stored", pos, "total", ck.Total)
	return errSegment
}

// segment is one range of the body. Fields are guarded by segmented.mu.
type segment struct {
	start, pos, end int64
	busy            bool
}

// segmented is one segmented attempt.
type segmented struct {
	t    *transfer
	file *os.File
	ck   persistence.Checkpoint // validators and total

	mu      sync.Mutex
	segs    []*segment // sorted by start; together they cover 0..total
	workers int        // running workers; each but one holds an extra slot
	shed    int        // workers asked to stop and give their slot back
	err     error      // the first failure
	first   bool       // a response was recorded for the record

	stop context.CancelCauseFunc
	wg   sync.WaitGroup
	// ended has a value when a worker finished a range or stopped: the
	// control loop looks at once, not at its next tick (on a capped
	// server the last range ends 50 ms earlier on average).
	ended chan struct{}
}

// runSegments makes one segmented attempt, resuming every segment from
// the checkpoint.
func (t *transfer) runSegments(ctx context.Context) error {
	ck := t.ck
	file, err := openSegmentFile(t.path, ck)
	if err != nil {
		return err
	}
	if file == nil {
		return t.restart() // missing or shorter than the checkpoint says
	}
	st := &segmented{t: t, file: file, ck: ck, ended: make(chan struct{}, 1)}
	for _, s := range ck.Segments {
		st.segs = append(st.segs, &segment{start: s.Start, pos: s.Pos, end: s.End})
	}
	t.offset = ck.Stored()
	t.f.setOffset(t.r, t.offset)
	t.r.attemptFrom = t.offset
	t.m.log.Debug("segmented attempt", "uid", t.f.reg.UID, "index", t.r.Index, "stored", t.offset, "total", ck.Total, "segments", len(st.segs))
	wctx, stop := context.WithCancelCause(ctx)
	st.stop = stop
	st.addWorker(wctx, false)
	for i := 1; i < st.initialWorkers(); i++ {
		if !st.addWorker(wctx, true) {
			break
		}
	}
	err = st.control(ctx, wctx)
	stop(errShutdown)
	st.wg.Wait()
	switch {
	case errors.Is(err, errRestart):
		file.Close()
		return t.restart()
	case err != nil:
		t.checkpointSegments(st)
	}
	if cerr := file.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return t.complete()
}

// openSegmentFile opens the partial for writing at any offset; nil (and
// no error) when a checkpointed segment's bytes are not there.
func openSegmentFile(path string, ck persistence.Checkpoint) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	var stored int64
	for _, s := range ck.Segments {
		stored = max(stored, s.Pos)
	}
	if ck.Stored() > 0 && fi.Size() < stored {
		f.Close()
		return nil, nil
	}
	// Exactly the body's size: shorter grows sparse (every range has its
	// place), longer loses what lies past the end (no range ever writes
	// there, and it must not end up in the body: faults' partial-extend).
	if fi.Size() != ck.Total {
		err = f.Truncate(ck.Total)
	}
	return f, err
}

// initialWorkers is how many workers the attempt runs: the wanted
// connections, or in automatic mode one per autoSegmentSize of the body,
// at most MaxConnectionsPerFile. It counts the whole body, not what is
// left: on a server that caps each connection fewer workers near the end
// would only make the end slower (claim gives a worker nothing when no
// range is left to split, and it stops).
func (st *segmented) initialWorkers() int {
	m := st.t.m
	m.mu.Lock()
	want := m.wantedSegments(st.t.f)
	m.mu.Unlock()
	if want > 0 {
		return min(want, model.MaxConnectionsPerFile)
	}
	return int(min(max(st.ck.Total/autoSegmentSize, 1), model.MaxConnectionsPerFile))
}

// addWorker starts a worker; an extra one only with a slot of its own.
func (st *segmented) addWorker(ctx context.Context, extra bool) bool {
	if extra && !st.t.m.grantSlot() {
		return false
	}
	st.mu.Lock()
	st.workers++
	st.mu.Unlock()
	st.wg.Add(1)
	go st.work(ctx)
	return true
}

// work fetches ranges until none is left, the attempt stops, or it is
// asked to give its slot back.
func (st *segmented) work(ctx context.Context) {
	defer st.wg.Done()
	buf := make([]byte, st.t.m.copyBuffer())
	for {
		seg := st.claim()
		if seg == nil {
			break
		}
		err := st.fetchRange(ctx, seg, buf)
		st.mu.Lock()
		seg.busy = false
		st.mu.Unlock()
		st.poke()
		if errors.Is(err, errShed) {
			break
		}
		if err != nil {
			st.fail(err)
			break
		}
	}
	st.mu.Lock()
	st.workers--
	extra := st.workers > 0 // the last worker holds the transfer's own slot
	st.mu.Unlock()
	if extra {
		st.t.m.releaseSlot()
	}
	st.poke()
}

func (st *segmented) poke() {
	select {
	case st.ended <- struct{}{}:
	default:
	}
}

// claim gives a worker a range: an unowned one, else the second half of
// the largest range left. nil when nothing is left to share.
func (st *segmented) claim() *segment {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.err != nil || st.shed > 0 {
		if st.shed > 0 {
			st.shed--
		}
		return nil
	}
	var largest *segment
	for _, s := range st.segs {
		switch {
		case s.pos >= s.end:
		case !s.busy:
			s.busy = true
			return s
		case largest == nil || s.end-s.pos > largest.end-largest.pos:
			largest = s
		}
	}
	if largest == nil || largest.end-largest.pos < 2*minSplit {
		return nil
	}
	// The owner writes at most one read (maxCopyBuffer) past its pos before it
	// looks at end again: the split point is well beyond that.
	mid := largest.pos + (largest.end-largest.pos)/2
	half := &segment{start: mid, pos: mid, end: largest.end, busy: true}
	largest.end = mid
	for i, s := range st.segs {
		if s == largest {
			st.segs = append(st.segs[:i+1], append([]*segment{half}, st.segs[i+1:]...)...)
			break
		}
	}
	return half
}

func (st *segmented) fail(err error) {
	st.mu.Lock()
	if st.err == nil {
		st.err = err
	}
	st.mu.Unlock()
	st.stop(err)
}

// fetchRange fetches seg from its pos to its end (which another worker may
// lower meanwhile), writing at the offsets of the partial file.
func (st *segmented) fetchRange(ctx context.Context, seg *segment, buf []byte) error {
	t := st.t
	st.mu.Lock()
	from, to := seg.pos, seg.end
	st.mu.Unlock()
	if from >= to {
		return nil
	}
	resp, err := st.request(ctx, from, to)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := st.accept(resp, from); err != nil {
		return err
	}
	for {
		n, rerr := io.ReadFull(resp.Body, buf[:min(len(buf), t.limit.chunk())])
		if n > 0 {
			done, err := st.store(seg, buf[:n])
			if err != nil {
				return err
			}
			if err := (roomGate{t}).WaitN(ctx, n); err != nil {
				if err == ctx.Err() {
					return context.Cause(ctx) // a limiter's wait ended with ctx
				}
				return err // the disk is full (checkRoom)
			}
			if done {
				return nil
			}
			if st.shedding() {
				return errShed
			}
		}
		switch {
		case rerr == io.EOF || rerr == io.ErrUnexpectedEOF:
			return io.ErrUnexpectedEOF // the range ended before seg did
		case rerr != nil:
			if cause := context.Cause(ctx); cause != nil && ctx.Err() != nil {
				return cause
			}
			return rerr
		}
	}
}

// request asks for bytes from..to-1, valid only if the resource is the
// one of the checkpoint (If-Range).
func (st *segmented) request(ctx context.Context, from, to int64) (*http.Response, error) {
	r := st.t.r.Request
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, failf(model.ReasonFetchError, "%v", err)
	}
	setRequestHeaders(req, r)
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", from, to-1))
	req.Header.Set("If-Range", ifRangeValue(st.ck))
	return st.t.http.Do(req)
}

// accept judges a segment's answer before a byte of it is stored.
func (st *segmented) accept(resp *http.Response, from int64) error {
	t := st.t
	switch {
	case resp.StatusCode == http.StatusOK:
		// If-Range said no: the resource changed, or ranges are no
		// longer honoured. Start the file over as one stream.
		t.m.log.Info("a segment answered 200: restarting the file", "uid", t.f.reg.UID, "index", t.r.Index)
		return errRestart
	case resp.StatusCode != http.StatusPartialContent:
		t.m.mu.Lock()
		retries := t.r.statusRetries
		t.m.mu.Unlock()
		if err := statusVerdict(resp, retries, t.m.cfg.StatusRetries); err != nil {
			t.m.mu.Lock()
			t.r.statusRetries++
			t.m.mu.Unlock()
			return err
		}
		return failf(model.ReasonFetchError, "a range request answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if _, err := checkResume(resp, from, st.ck); err != nil {
		return err
	}
	st.mu.Lock()
	first := !st.first
	st.first = true
	st.mu.Unlock()
	if first {
		return t.m.responded(t.f, t.r, resp, st.ck.Total, t.path)
	}
	return nil
}

// store writes data at seg's pos, up to its end; done when seg is complete.
func (st *segmented) store(seg *segment, data []byte) (bool, error) {
	st.mu.Lock()
	pos, room := seg.pos, seg.end-seg.pos
	st.mu.Unlock()
	data = data[:min(int64(len(data)), max(room, 0))]
	if _, err := st.file.WriteAt(data, pos); err != nil {
		return false, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	seg.pos += int64(len(data))
	return seg.pos >= seg.end, nil
}

func (st *segmented) shedding() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.shed > 0 {
		st.shed--
		return true
	}
	return false
}

// progress is the bytes stored and whether every range is complete.
func (st *segmented) progress() (stored int64, complete bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	complete = true
	for _, s := range st.segs {
		stored += s.pos - s.start
		complete = complete && s.pos >= s.end
	}
	return stored, complete
}

// control watches the workers until the body is complete, one fails or
// ctx ends: progress, checkpoints, stalls, limits, and the number of
// workers.
func (st *segmented) control(ctx, wctx context.Context) error {
	t, cfg := st.t, &st.t.m.cfg
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastCk, lastAdjust := time.Now(), time.Now()
	lastMove, lastStored := time.Now(), t.offset
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-wctx.Done():
			st.mu.Lock()
			err := st.err
			st.mu.Unlock()
			if err != nil {
				return err
			}
			return context.Cause(wctx)
		case <-st.ended:
			if stored, complete := st.progress(); complete {
				t.f.setOffset(t.r, stored)
				return nil
			}
		case now := <-tick.C:
			stored, complete := st.progress()
			t.f.setOffset(t.r, stored)
			if complete {
				return nil
			}
			if st.idle() {
				st.addWorker(wctx, false) // every worker gave up its range: one takes over
			}
			if stored != lastStored {
				lastStored, lastMove = stored, now
			} else if now.Sub(lastMove) > cfg.StallTimeout {
				return errStalled
			}
			if err := t.m.overLimits(t.f); err != nil {
				return err
			}
			if now.Sub(lastCk) >= cfg.CheckpointInterval {
				t.checkpointSegments(st)
				lastCk = now
			}
			if now.Sub(lastAdjust) >= cfg.SegmentTick {
				st.adjust(wctx)
				lastAdjust = now
			}
		}
	}
}

// adjust gives a slot back when a fetch waits for one, and otherwise
// brings the workers to the wanted number.
func (st *segmented) adjust(ctx context.Context) {
	st.mu.Lock()
	workers, shed := st.workers, st.shed
	st.mu.Unlock()
	if workers-shed > 1 && st.t.m.slotsWanted() {
		st.mu.Lock()
		st.shed++
		st.mu.Unlock()
		return
	}
	want := st.initialWorkers()
	switch {
	case workers-shed > want:
		st.mu.Lock()
		st.shed++
		st.mu.Unlock()
	case workers < want && st.hasWork():
		st.addWorker(ctx, true)
	}
}

// idle reports whether no worker runs.
func (st *segmented) idle() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.workers == 0 && st.err == nil
}

// hasWork reports whether a new worker would find a range.
func (st *segmented) hasWork() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, s := range st.segs {
		if s.pos < s.end && (!s.busy || s.end-s.pos >= 2*minSplit) {
			return true
		}
	}
	return false
}

// checkpointSegments is checkpoint for a segmented body: the positions
// are read first, then the file is synced, then they are stored; the store
// never points past durable bytes.
func (t *transfer) checkpointSegments(st *segmented) {
	st.mu.Lock()
	ck := st.ck
	ck.Segments = make([]persistence.Segment, 0, len(st.segs))
	for _, s := range st.segs {
		ck.Segments = append(ck.Segments, persistence.Segment{Start: s.start, Pos: s.pos, End: s.end})
	}
	st.mu.Unlock()
	err := st.file.Sync()
	if err == nil {
		err = t.saveCheckpoint(ck)
	}
	if err != nil {
		t.m.log.Warn("checkpoint", "uid", t.f.reg.UID, "index", t.r.Index, "err", err)
	}
}
