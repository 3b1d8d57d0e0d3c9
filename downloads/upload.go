package downloads

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// Upload bodies (POST/PUT request bodies) are written once, as files
// DATA_DIR/uploads/<uid>/<index> synced before the registration is
// stored, and each attempt streams its body from there: they are never
// kept in memory (a record keeps only the length), never copied into a
// store value (Badger's values stop at 16 MiB; larger uploads answered 500
// with the record hex-dumped into the log, issue 14), and rewriting a
// record never copies its body. They stay until the registration is
// forgotten (a retry sends them again). Records stored before this kept
// the body in their document; those keep it in memory as before.

// upload is the body an attempt sends.
type upload struct {
	size int64
	open func() (io.ReadCloser, error)
}

func (m *Manager) uploadsDir(uid string) string { return filepath.Join(m.uploadsRoot, uid) }

// storeUploads writes and syncs the upload bodies of a new registration;
// on an error nothing of them is left.
func (m *Manager) storeUploads(uid string, bodies [][]byte) (err error) {
	dir := m.uploadsDir(uid)
	var paths []string
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	for i, b := range bodies {
		if len(b) == 0 {
			continue
		}
		if len(paths) == 0 {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
		}
		p := filepath.Join(dir, strconv.Itoa(i))
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return fmt.Errorf("store the upload body of request %d: %w", i, err)
		}
		paths = append(paths, p)
	}
	if len(paths) == 0 {
		return nil
	}
	if err := syncFiles(dir, paths); err != nil {
		return err
	}
	syncDir(dir)
	syncDir(m.uploadsRoot)
	return nil
}

// uploadOf is what the next attempt of r sends (size 0: no body).
func (m *Manager) uploadOf(f *fetch, r *record) upload {
	if b := r.Request.Body; len(b) > 0 { // stored before upload files
		return upload{size: int64(len(b)), open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }}
	}
	if r.uploadSize == 0 {
		return upload{}
	}
	path := filepath.Join(m.uploadsDir(f.reg.UID), strconv.Itoa(r.Index))
	return upload{size: r.uploadSize, open: func() (io.ReadCloser, error) {
		fh, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("the upload body of request %d: %w", r.Index, err)
		}
		return fh, nil
	}}
}

// readUploads gives reqs, the requests of f (to register again: Retry),
// their upload bodies back from f's files; recs are f's records.
func (m *Manager) readUploads(f *fetch, recs []*record, reqs []model.Request) error {
	for i := range reqs {
		if len(reqs[i].Body) > 0 || i >= len(recs) || recs[i].uploadSize == 0 {
			continue
		}
		b, err := os.ReadFile(filepath.Join(m.uploadsDir(f.reg.UID), strconv.Itoa(i)))
		if err != nil {
			return fmt.Errorf("read the upload body of request %d again: %w", i, err)
		}
		reqs[i].Body = b
	}
	return nil
}

// removeUploads deletes a forgotten registration's upload bodies.
func (m *Manager) removeUploads(uid string) {
	if err := os.RemoveAll(m.uploadsDir(uid)); err != nil && !errors.Is(err, os.ErrNotExist) {
		m.log.Warn("remove upload bodies", "uid", uid, "err", err)
	}
}

// removeOrphanUploads deletes the uploads of registrations the store does
// not have (a crash between writing them and storing the registration).
// m.mu held, after load.
func (m *Manager) removeOrphanUploads() {
	ents, _ := os.ReadDir(m.uploadsRoot)
	for _, e := range ents {
		if _, ok := m.fetches[e.Name()]; !ok {
			os.RemoveAll(filepath.Join(m.uploadsRoot, e.Name()))
		}
	}
}
