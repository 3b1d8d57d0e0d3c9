package persistence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// ErrAlreadyRunning is returned by Open when another process holds the data
// directory.
var ErrAlreadyRunning = errors.New("bgfetch is already running with this data directory")

// ErrNotFound is returned when a key does not exist.
var ErrNotFound = errors.New("not found")

// Options tune a Store. The zero value is what the daemon uses.
type Options struct {
	// GCInterval is how often the value log is garbage-collected
	// (default 10 minutes; negative disables it).
	GCInterval time.Duration
	// Logger receives Badger's warnings and errors (default: discarded).
	Logger *slog.Logger
}

// Store is the Badger-backed state of one bgfetch data directory.
type Store struct {
	db   *badger.DB
	lock *dirLock

	// outboxMu serialises transactions that append to the outbox, so that
	// sequence numbers become visible in the order they were handed out.
	outboxMu sync.Mutex
	nextSeq  uint64 // guarded by outboxMu

	log     *slog.Logger
	written chan struct{} // a commit happened (compaction.go)
	stop    chan struct{}
	loops   sync.WaitGroup // gcLoop and compactLoop
}

// Key prefixes: a letter and a slash, followed by the key proper.
const (
	prefixRegistration = "r/"
	prefixRecord       = "c/"
	prefixCheckpoint   = "k/"
	prefixOutbox       = "o/"
	prefixDelivered    = "d/"
	prefixHandler      = "h/"
	prefixIcon         = "i/"
	prefixMeta         = "m/"
)

// valueLogFileSize is the size of Badger's value log files, which is also
// the largest value it stores.
const valueLogFileSize = 16 << 20

// MaxValueBytes is the largest value the store holds (a record or
// registration document). Larger ones fail with ErrValueTooLarge.
const MaxValueBytes = valueLogFileSize - 64<<10

// memTableSize is the size of each of Badger's memtables.
const memTableSize = 4 << 20

// levelZeroTables is how many tables Badger's level 0 holds before it
// wants compacting (NumLevelZeroTables; compaction.go).
const levelZeroTables = 2

// levelZeroStall is where Badger stops writes until level 0 is merged
// down. Badger flushes the memtables a crash left to level 0 inside Open,
// before the store's own compaction can run (compaction.go), so a daemon
// killed again and again before its first compaction adds a table per
// start: at the 8 Badger has by default, the next Open waited for ever
// (make faults, 40 SIGKILLs after a 201, hung at the 12th start). The
// store compacts at open and after every burst of writes, so level 0
// stays at a few tables in use and this bound is never what holds it.
const levelZeroStall = 1000

// DiskReserve is the room the store must find free on its file system.
// Badger writes its write-ahead logs (a file of twice the memtable size
// for each of up to three memtables) and its value log through mmap'd
// files made sparse, so on a disk that a body filled its next write would
// fault (SIGBUS, the daemon dies) instead of failing: the engine stops
// body bytes while less than this is free (downloads, checkRoom).
const DiskReserve = 3*2*memTableSize + valueLogFileSize

// ErrValueTooLarge is returned for a value over MaxValueBytes.
var ErrValueTooLarge = errors.New("the value is larger than the store holds")

// badgerOptions is the one place the store's footprint is decided. Badger's
// defaults reserve 64 MiB memtables (x5) and a 256 MiB block cache, sized for
// a database server; bgfetch holds a few megabytes of state. Its tables are
// not compressed: with a 1 MiB block cache every block read was decompressed
// into a new buffer, and compaction built a compressed copy of each table
// beside the plain one (a start on 10,000 kept registrations allocated
// 120 MB for a 7 MB store; JSON compresses well, but the store stays small
// either way). Tables written before keep their compression (Badger
// records it per table).
func badgerOptions(dir string, logger *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(badgerLogger{logger}).
		WithSyncWrites(true).
		WithMemTableSize(memTableSize).
		WithNumMemtables(2).
		// Must stay below 15% of the memtable size or Open fails.
		WithValueThreshold(64 << 10).
		WithBlockCacheSize(1 << 20).
		WithIndexCacheSize(1 << 20).
		WithBaseTableSize(2 << 20).
		WithBaseLevelSize(8 << 20).
		WithNumLevelZeroTables(levelZeroTables).
		WithNumLevelZeroTablesStall(levelZeroStall).
		WithValueLogFileSize(valueLogFileSize).
		WithNumCompactors(0). // compaction.go: compacts after writes instead
		WithNumGoroutines(2).
		WithMetricsEnabled(false).
		WithCompactL0OnClose(false).
		WithCompression(options.None)
}

// Open opens (creating if needed) the store in dir. A second process on the
// same directory gets ErrAlreadyRunning.
func Open(dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, "lock"))
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	removeEmptyMemtableLogs(filepath.Join(dir, "store"), logger)
	db, err := badger.Open(badgerOptions(filepath.Join(dir, "store"), logger))
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("open store in %s: %w", dir, err)
	}
	s := &Store{db: db, lock: lock, log: logger, written: make(chan struct{}, 1), stop: make(chan struct{})}
	if err := s.loadNextSeq(); err != nil {
		db.Close()
		lock.release()
		return nil, err
	}
	gc := opts.GCInterval
	if gc == 0 {
		gc = 10 * time.Minute
	}
	s.loops.Add(2)
	go s.gcLoop(gc)
	go s.compactLoop() // looks at once: level 0 may hold tables from before
	return s, nil
}

// removeEmptyMemtableLogs deletes the empty memtable logs (*.mem) a crash
// can leave. Badger deletes a flushed memtable's log by emptying it and
// then removing it; a process killed between the two left a 0-byte log,
// which the next Open took for a memtable to replay and failed on ("while
// opening memtables ... Create a new file"): the daemon could not start
// again (TestOpenAfterCrashLoop, 3 of 3 runs). An empty log holds nothing.
func removeEmptyMemtableLogs(dir string, logger *slog.Logger) {
	logs, _ := filepath.Glob(filepath.Join(dir, "*.mem"))
	for _, p := range logs {
		if fi, err := os.Stat(p); err == nil && fi.Size() == 0 {
			if err := os.Remove(p); err != nil {
				logger.Warn("remove an empty memtable log", "path", p, "err", err)
			}
		}
	}
}

// Close flushes and closes the store and releases the directory.
func (s *Store) Close() error {
	close(s.stop)
	s.loops.Wait()
	err := s.db.Close()
	s.lock.release()
	return err
}

func (s *Store) gcLoop(every time.Duration) {
	defer s.loops.Done()
	if every < 0 {
		<-s.stop
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			for s.db.RunValueLogGC(0.5) == nil {
			}
		}
	}
}

func (s *Store) loadNextSeq() error {
	return s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixOutbox), Reverse: true})
		defer it.Close()
		it.Seek(append([]byte(prefixOutbox), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))
		s.nextSeq = 1
		if it.ValidForPrefix([]byte(prefixOutbox)) {
			k := it.Item().Key()
			s.nextSeq = binary.BigEndian.Uint64(k[len(prefixOutbox):]) + 1
		}
		// Entries may all have been pruned: the high-water mark remembers
		// the last number handed out, so event ids are never reused.
		if item, err := txn.Get([]byte(prefixMeta + "outbox-seq")); err == nil {
			err = item.Value(func(v []byte) error {
				if len(v) == 8 {
					s.nextSeq = max(s.nextSeq, binary.BigEndian.Uint64(v)+1)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Update runs fn in a read-write transaction, committed durably when fn
// returns nil.
func (s *Store) Update(fn func(tx *Tx) error) error {
	tx := &Tx{store: s, txn: s.db.NewTransaction(true)}
	defer func() {
		tx.txn.Discard()
		if tx.holdsOutbox {
			s.outboxMu.Unlock()
		}
	}()
	if err := fn(tx); err != nil {
		if tx.holdsOutbox {
			s.nextSeq = tx.firstSeq // hand the numbers out again
		}
		return err
	}
	if err := tx.txn.Commit(); err != nil {
		if tx.holdsOutbox {
			s.nextSeq = tx.firstSeq
		}
		return fmt.Errorf("commit: %w", cleanError(err))
	}
	s.wrote()
	return nil
}

// UpdateMany calls fn for i = 0..n-1, committing in as many transactions
// as Badger's transaction size limit needs. Each transaction is durable on
// commit; a failure leaves the items before it stored.
func (s *Store) UpdateMany(n int, fn func(tx *Tx, i int) error) error {
	tx := &Tx{store: s, txn: s.db.NewTransaction(true)}
	defer func() { tx.txn.Discard() }()
	pending := false
	for i := 0; i < n; i++ {
		err := fn(tx, i)
		if errors.Is(err, badger.ErrTxnTooBig) && pending {
			if err := tx.txn.Commit(); err != nil {
				return fmt.Errorf("commit: %w", cleanError(err))
			}
			s.wrote()
			tx.txn = s.db.NewTransaction(true)
			err = fn(tx, i)
		}
		if err != nil {
			return err
		}
		pending = true
	}
	if !pending {
		return nil
	}
	if err := tx.txn.Commit(); err != nil {
		return fmt.Errorf("commit: %w", cleanError(err))
	}
	s.wrote()
	return nil
}

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	tx := &Tx{store: s, txn: s.db.NewTransaction(false)}
	defer tx.txn.Discard()
	return fn(tx)
}

// Tx is one transaction on the store.
type Tx struct {
	store       *Store
	txn         *badger.Txn
	holdsOutbox bool
	firstSeq    uint64
}

func (tx *Tx) get(key string) ([]byte, error) {
	item, err := tx.txn.Get([]byte(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// set stores value under key. A value over MaxValueBytes is refused here,
// before Badger sees it: Badger's own error holds a hex dump of the value
// (request headers and all), which must never reach a log.
func (tx *Tx) set(key string, value []byte) error {
	if len(value) > MaxValueBytes {
		return fmt.Errorf("%w: %s… is %d bytes, the limit is %d", ErrValueTooLarge, keyKind(key), len(value), MaxValueBytes)
	}
	return cleanError(tx.txn.Set([]byte(key), value))
}

// keyKind names what a key holds, for error messages.
func keyKind(key string) string {
	for prefix, kind := range map[string]string{prefixRegistration: "a registration", prefixRecord: "a record",
		prefixHandler: "a handler", prefixIcon: "an icon", prefixMeta: "a setting"} {
		if strings.HasPrefix(key, prefix) {
			return kind
		}
	}
	return "a value"
}

// cleanError drops what Badger appends to its errors after the reason (a
// hex dump of the key or value).
func cleanError(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if i := strings.Index(msg, ". Value:"); i >= 0 {
		return fmt.Errorf("%w: %s", ErrValueTooLarge, msg[:i])
	}
	if i := strings.Index(msg, ". Key:"); i >= 0 {
		return errors.New(msg[:i])
	}
	return err
}

func (tx *Tx) del(key string) error {
	return tx.txn.Delete([]byte(key))
}

// each calls fn for every key under prefix in key order; fn gets the key
// without the prefix and a copy of the value.
func (tx *Tx) each(prefix string, fn func(key string, value []byte) error) error {
	it := tx.txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix), PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		item := it.Item()
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if err := fn(string(item.Key()[len(prefix):]), v); err != nil {
			return err
		}
	}
	return nil
}

// eachKey is each without reading values.
func (tx *Tx) eachKey(prefix string, fn func(key string) error) error {
	it := tx.txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefix)})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		if err := fn(string(it.Item().Key()[len(prefix):])); err != nil {
			return err
		}
	}
	return nil
}

// --- registrations and records ---

// PutRegistration stores a registration document under its uid.
func (tx *Tx) PutRegistration(uid string, doc []byte) error {
	return tx.set(prefixRegistration+uid, doc)
}

// Registration returns the registration document for uid, or ErrNotFound.
func (tx *Tx) Registration(uid string) ([]byte, error) {
	return tx.get(prefixRegistration + uid)
}

// EachRegistration calls fn for every stored registration, in uid order.
func (tx *Tx) EachRegistration(fn func(uid string, doc []byte) error) error {
	return tx.each(prefixRegistration, fn)
}

func recordKey(uid string, index int) string {
	return fmt.Sprintf("%s/%06d", uid, index)
}

// PutRecord stores one record document of a registration.
func (tx *Tx) PutRecord(uid string, index int, doc []byte) error {
	return tx.set(prefixRecord+recordKey(uid, index), doc)
}

// Records returns the record documents of uid in index order.
func (tx *Tx) Records(uid string) ([][]byte, error) {
	var out [][]byte
	err := tx.each(prefixRecord+uid+"/", func(_ string, v []byte) error {
		out = append(out, v)
		return nil
	})
	return out, err
}

// DeleteRegistration removes a registration, then its records and
// checkpoints in as many transactions as they need. Records left behind by
// a crash in between belong to no registration and are never read.
func (s *Store) DeleteRegistration(uid string) error {
	if err := s.Update(func(tx *Tx) error { return tx.del(prefixRegistration + uid) }); err != nil {
		return err
	}
	var keys []string
	err := s.View(func(tx *Tx) error {
		for _, p := range []string{prefixRecord, prefixCheckpoint} {
			err := tx.eachKey(p+uid+"/", func(k string) error {
				keys = append(keys, p+uid+"/"+k)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.UpdateMany(len(keys), func(tx *Tx, i int) error { return tx.del(keys[i]) })
}

// --- checkpoints ---

// Checkpoint is the durable resume point of one record: the partial body
// file holds at least Offset bytes that were fsynced before this was
// written, fetched from a resource identified by ETag / LastModified whose
// full length is Total (-1 when unknown).
//
// A body fetched in segments (several ranges at once) has Segments instead
// of an Offset: each segment's bytes from Start up to Pos were fsynced, and
// Pos up to End remain; together they cover 0..Total.
type Checkpoint struct {
	Offset       int64     `json:"offset"`
	Total        int64     `json:"total"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"lastModified,omitempty"`
	Segments     []Segment `json:"segments,omitempty"`
}

// Segment is one range of a body fetched in segments: [Start, End), of
// which Start..Pos is stored.
type Segment struct {
	Start, Pos, End int64
}

// Stored is the number of bytes the checkpoint says are stored.
func (c Checkpoint) Stored() int64 {
	if len(c.Segments) == 0 {
		return c.Offset
	}
	var n int64
	for _, s := range c.Segments {
		n += s.Pos - s.Start
	}
	return n
}

// PutCheckpoint records the durable resume point of a record. Callers must
// have fsynced the partial file first.
func (tx *Tx) PutCheckpoint(uid string, index int, c Checkpoint) error {
	b := make([]byte, 0, 64)
	b = strconv.AppendInt(b, c.Offset, 10)
	b = append(b, '\n')
	b = strconv.AppendInt(b, c.Total, 10)
	b = append(b, '\n')
	b = append(b, c.ETag...)
	b = append(b, '\n')
	b = append(b, c.LastModified...)
	if len(c.Segments) > 0 {
		b = append(b, '\n')
		for i, sg := range c.Segments {
			if i > 0 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, sg.Start, 10)
			b = append(b, ':')
			b = strconv.AppendInt(b, sg.Pos, 10)
			b = append(b, ':')
			b = strconv.AppendInt(b, sg.End, 10)
		}
	}
	return tx.set(prefixCheckpoint+recordKey(uid, index), b)
}

// Checkpoint returns the resume point of a record; a record that never
// checkpointed has the zero Checkpoint with Total -1.
func (tx *Tx) Checkpoint(uid string, index int) (Checkpoint, error) {
	v, err := tx.get(prefixCheckpoint + recordKey(uid, index))
	if errors.Is(err, ErrNotFound) {
		return Checkpoint{Total: -1}, nil
	}
	if err != nil {
		return Checkpoint{}, err
	}
	parts := bytes.SplitN(v, []byte{'\n'}, 5)
	corrupt := fmt.Errorf("corrupt checkpoint for %s/%d", uid, index)
	if len(parts) < 4 {
		return Checkpoint{}, corrupt
	}
	off, err1 := strconv.ParseInt(string(parts[0]), 10, 64)
	total, err2 := strconv.ParseInt(string(parts[1]), 10, 64)
	if err1 != nil || err2 != nil || off < 0 {
		return Checkpoint{}, corrupt
	}
	c := Checkpoint{Offset: off, Total: total, ETag: string(parts[2]), LastModified: string(parts[3])}
	if len(parts) == 5 {
		for _, f := range bytes.Fields(parts[4]) {
			var sg Segment
			n, err := fmt.Sscanf(string(f), "%d:%d:%d", &sg.Start, &sg.Pos, &sg.End)
			if err != nil || n != 3 || sg.Start < 0 || sg.Pos < sg.Start || sg.End < sg.Pos || sg.End > total {
				return Checkpoint{}, corrupt
			}
			c.Segments = append(c.Segments, sg)
		}
	}
	return c, nil
}

// --- outbox ---

func outboxKey(seq uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return string(b[:])
}

// AppendOutbox adds an event document to the outbox and returns its
// sequence number. The entry becomes visible when the transaction commits;
// entries become visible in sequence order.
func (tx *Tx) AppendOutbox(doc func(seq uint64) []byte) (uint64, error) {
	s := tx.store
	if !tx.holdsOutbox {
		s.outboxMu.Lock()
		tx.holdsOutbox = true
		tx.firstSeq = s.nextSeq
	}
	seq := s.nextSeq
	s.nextSeq++
	if err := tx.set(prefixMeta+"outbox-seq", []byte(outboxKey(seq))); err != nil {
		return 0, err
	}
	return seq, tx.set(prefixOutbox+outboxKey(seq), doc(seq))
}

// OutboxEntry is one stored event.
type OutboxEntry struct {
	Seq       uint64
	Doc       []byte
	Delivered bool
}

// OutboxAfter calls fn for each outbox entry with a sequence number greater
// than after, in order, until fn returns false.
func (tx *Tx) OutboxAfter(after uint64, fn func(OutboxEntry) bool) error {
	it := tx.txn.NewIterator(badger.IteratorOptions{Prefix: []byte(prefixOutbox), PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Seek([]byte(prefixOutbox + outboxKey(after+1))); it.ValidForPrefix([]byte(prefixOutbox)); it.Next() {
		item := it.Item()
		seq := binary.BigEndian.Uint64(item.Key()[len(prefixOutbox):])
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		_, err = tx.txn.Get([]byte(prefixDelivered + outboxKey(seq)))
		delivered := err == nil
		if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if !fn(OutboxEntry{Seq: seq, Doc: v, Delivered: delivered}) {
			return nil
		}
	}
	return nil
}

// OutboxEntryAt returns the outbox entry seq, or ErrNotFound.
func (tx *Tx) OutboxEntryAt(seq uint64) (OutboxEntry, error) {
	doc, err := tx.get(prefixOutbox + outboxKey(seq))
	if err != nil {
		return OutboxEntry{}, err
	}
	_, err = tx.txn.Get([]byte(prefixDelivered + outboxKey(seq)))
	if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
		return OutboxEntry{}, err
	}
	return OutboxEntry{Seq: seq, Doc: doc, Delivered: err == nil}, nil
}

// MarkDelivered records that the entry seq reached its handler.
func (tx *Tx) MarkDelivered(seq uint64) error {
	return tx.set(prefixDelivered+outboxKey(seq), []byte{1})
}

// PruneOutbox deletes delivered entries older than keepAfter (by sequence)
// and returns how many it removed. Undelivered entries are kept.
func (tx *Tx) PruneOutbox(keepAfter uint64) (int, error) {
	var drop []uint64
	err := tx.OutboxAfter(0, func(e OutboxEntry) bool {
		if e.Seq > keepAfter {
			return false
		}
		if e.Delivered {
			drop = append(drop, e.Seq)
		}
		return true
	})
	if err != nil {
		return 0, err
	}
	for _, seq := range drop {
		if err := tx.del(prefixOutbox + outboxKey(seq)); err != nil {
			return 0, err
		}
		if err := tx.del(prefixDelivered + outboxKey(seq)); err != nil {
			return 0, err
		}
	}
	return len(drop), nil
}

// LastOutboxSeq is the highest sequence number handed out so far (0 if none).
func (s *Store) LastOutboxSeq() uint64 {
	s.outboxMu.Lock()
	defer s.outboxMu.Unlock()
	return s.nextSeq - 1
}

// --- handlers, icons, meta ---

// PutHandler stores an app's default handler document; nil deletes it.
func (tx *Tx) PutHandler(app string, doc []byte) error {
	if doc == nil {
		return tx.del(prefixHandler + app)
	}
	return tx.set(prefixHandler+app, doc)
}

// Handler returns an app's default handler document, or ErrNotFound.
func (tx *Tx) Handler(app string) ([]byte, error) {
	return tx.get(prefixHandler + app)
}

// PutIcon caches icon bytes under key (for example the icon's URL).
func (tx *Tx) PutIcon(key string, data []byte) error {
	return tx.set(prefixIcon+key, data)
}

// Icon returns cached icon bytes, or ErrNotFound.
func (tx *Tx) Icon(key string) ([]byte, error) {
	return tx.get(prefixIcon + key)
}

// PutMeta stores a small named value (cursors, settings).
func (tx *Tx) PutMeta(name string, value []byte) error {
	return tx.set(prefixMeta+name, value)
}

// Meta returns a named value, or ErrNotFound.
func (tx *Tx) Meta(name string) ([]byte, error) {
	return tx.get(prefixMeta + name)
}
