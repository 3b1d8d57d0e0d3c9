package downloads

import (
	"fmt"

	"github.com/bgfetch/bgfetch/persistence"
)

// Upload bodies (POST/PUT request bodies, up to model.MaxUploadBytes each)
// are stored once, beside their record (persistence: PutUpload), and are
// not kept in memory: a record keeps only the body's length, and each
// attempt reads the body from the store while it sends it. So an active
// fetch with 60 MB of uploads costs its size on disk, not in RAM, and
// rewriting a record (every checkpoint of its state) never copies its
// body. Records stored before this kept the body in their document; those
// keep it in memory as before.

// storeUploads writes the upload bodies of a new registration, in as many
// transactions as they need; records without one are skipped.
func (m *Manager) storeUploads(uid string, bodies [][]byte) error {
	var idx []int
	for i, b := range bodies {
		if len(b) > 0 {
			idx = append(idx, i)
		}
	}
	return m.store.UpdateMany(len(idx), func(tx *persistence.Tx, k int) error {
		return tx.PutUpload(uid, idx[k], bodies[idx[k]])
	})
}

// uploadBody is the body the next attempt of r sends (nil for none).
func (m *Manager) uploadBody(f *fetch, r *record) ([]byte, error) {
	if r.uploadSize == 0 || len(r.Request.Body) > 0 {
		return r.Request.Body, nil
	}
	var body []byte
	err := m.store.View(func(tx *persistence.Tx) error {
		var err error
		body, err = tx.Upload(f.reg.UID, r.Index)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read the upload body of record %d: %w", r.Index, err)
	}
	return body, nil
}
