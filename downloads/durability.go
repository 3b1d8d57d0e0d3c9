package downloads

import (
	"time"

	"github.com/bgfetch/bgfetch/persistence"
)

// Finished records are made durable in batches: one file-system sync and
// one store transaction for every record that finished since the last
// flush, instead of an fsync and a commit per file. A fetch settles only
// once all its records are durable, so nothing is announced that a crash
// could take back; a crash before the flush merely fetches those records
// again.

// pendingSave is a finished record waiting for the flusher.
type pendingSave struct {
	f *fetch
	r *record
}

// completeRecord queues a finished record for the flusher. m.mu held.
func (m *Manager) completeRecord(f *fetch, r *record) {
	r.saved = false
	m.unsaved = append(m.unsaved, &pendingSave{f: f, r: r})
	select {
	case m.flushWake <- struct{}{}:
	default:
	}
}

func (m *Manager) flushLoop() {
	defer m.loops.Done()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-m.flushWake:
			m.flush()
		}
	}
}

// flush makes every queued record durable, then settles the fetches that
// are complete.
func (m *Manager) flush() {
	m.flushMu.Lock()
	defer m.flushMu.Unlock()
	m.mu.Lock()
	batch := m.unsaved
	m.unsaved = nil
	docs := make([][]byte, len(batch))
	paths := make([]string, 0, len(batch))
	for i, p := range batch {
		docs[i] = recordDoc(p.r)
		if p.r.Response != nil && p.r.Response.Path != "" {
			paths = append(paths, p.r.Response.Path)
		}
	}
	m.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	start := time.Now()
	if err := syncFiles(m.bodiesDir, paths); err != nil {
		m.log.Error("sync finished bodies", "err", err)
		m.requeue(batch)
		return
	}
	err := m.store.UpdateMany(len(batch), func(tx *persistence.Tx, i int) error {
		return tx.PutRecord(batch[i].f.reg.UID, batch[i].r.Index, docs[i])
	})
	if err != nil {
		m.log.Error("store finished records", "err", err)
		m.requeue(batch)
		return
	}
	m.mu.Lock()
	for _, p := range batch {
		p.r.saved = true
	}
	m.mu.Unlock()
	m.log.Debug("flushed finished records", "records", len(batch), "took", time.Since(start))
	done := map[*fetch]bool{}
	for _, p := range batch {
		if !done[p.f] {
			done[p.f] = true
			m.settleIfDone(p.f, true)
		}
	}
}

// requeue puts records back for the next flush (after a write error).
func (m *Manager) requeue(batch []*pendingSave) {
	m.mu.Lock()
	m.unsaved = append(batch, m.unsaved...)
	m.mu.Unlock()
	time.AfterFunc(time.Second, func() {
		select {
		case m.flushWake <- struct{}{}:
		default:
		}
	})
}
