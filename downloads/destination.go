package downloads

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"unicode"

	"github.com/bgfetch/bgfetch/persistence"
)

// moveToDestination moves every successful body into the fetch's
// destination folder under a safe, collision-free name. m.mu held.
//
// It is safe to repeat after a crash at any point: each body's name is
// claimed (an empty file created with O_EXCL) and the claim stored before
// anything moves; a body that already moved is no longer in the data dir.
func (m *Manager) moveToDestination(f *fetch) *failure {
	dest := f.reg.Destination
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return failf(ReasonFetchError, "create destination: %v", err)
	}
	var claimed []*record
	for _, r := range f.recs {
		if r.State != RecordSuccess || r.Response == nil || r.Response.Path != m.partialPath(f, r) {
			continue // nothing to move, or a name was claimed before a restart
		}
		target, err := claimName(dest, bodyName(r))
		if err != nil {
			return destinationFailure(err)
		}
		r.Response.Path = target
		claimed = append(claimed, r)
	}
	err := m.store.UpdateMany(len(claimed), func(tx *persistence.Tx, i int) error {
		return putRecord(tx, f.reg.UID, claimed[i])
	})
	if err != nil {
		return failf(ReasonFetchError, "store destination names: %v", err)
	}
	for _, r := range f.recs {
		if r.State != RecordSuccess || r.Response == nil || r.Response.Path == "" {
			continue
		}
		if src := m.partialPath(f, r); r.Response.Path != src {
			if err := moveBody(src, r.Response.Path); err != nil {
				m.unclaim(f)
				return destinationFailure(err)
			}
		}
	}
	syncDir(dest)
	return nil
}

// unclaim gives back the names of bodies that did not move (after a
// failed move): their claimed files, empty or partly copied, are removed
// and the records point at the data dir again. m.mu held.
func (m *Manager) unclaim(f *fetch) {
	var back []*record
	for _, r := range f.recs {
		if r.State != RecordSuccess || r.Response == nil || r.Response.Path == "" {
			continue
		}
		src := m.partialPath(f, r)
		if r.Response.Path == src {
			continue
		}
		if _, err := os.Stat(src); err != nil {
			continue // this one moved
		}
		os.Remove(r.Response.Path)
		r.Response.Path = src
		back = append(back, r)
	}
	err := m.store.UpdateMany(len(back), func(tx *persistence.Tx, i int) error {
		return putRecord(tx, f.reg.UID, back[i])
	})
	if err != nil {
		m.log.Error("store records after a failed move", "uid", f.reg.UID, "err", err)
	}
}

func destinationFailure(err error) *failure {
	if errors.Is(err, syscall.ENOSPC) {
		return failf(ReasonQuotaExceeded, "the destination is full: %v", err)
	}
	return failf(ReasonFetchError, "move to destination: %v", err)
}

// claimName creates an empty file named name in dir, or "name (N).ext"
// when taken, and returns its path. O_CREATE|O_EXCL never follows a
// symlink planted in dir and never opens an existing file.
func claimName(dir, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 1000; i++ {
		cand := name
		if i > 0 {
			cand = fmt.Sprintf("%s (%d)%s", stem, i, ext)
		}
		target := filepath.Join(dir, cand)
		if filepath.Dir(target) != filepath.Clean(dir) {
			return "", fmt.Errorf("unsafe name %q", cand)
		}
		fh, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return target, fh.Close()
	}
	return "", fmt.Errorf("no free name for %q in %s", name, dir)
}

// moveBody replaces the claimed target with the body at src. A missing
// src means an earlier attempt moved it already.
func moveBody(src, target string) error {
	if _, err := os.Stat(src); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := os.Rename(src, target); err == nil {
		return nil
	}
	// Another file system: copy over the claimed file, never through a
	// symlink swapped in for it.
	fh, err := os.OpenFile(target, os.O_WRONLY|os.O_TRUNC|oNoFollow, 0)
	if err != nil {
		return err
	}
	err = copyInto(fh, src)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Truncate(target, 0) // never leave a partial copy in the user's folder
		return err
	}
	return os.Remove(src)
}

func copyInto(dst *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := io.Copy(dst, in); err != nil {
		return err
	}
	return dst.Sync()
}

// syncDir makes renames in dir durable (best effort: not every platform
// can sync a directory).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// bodyName derives a file name from Content-Disposition, else the URL's
// last path segment, else "download".
func bodyName(r *record) string {
	if r.Response != nil {
		if cd := r.Response.Headers["Content-Disposition"]; cd != "" {
			if _, params, err := mime.ParseMediaType(cd); err == nil {
				if n := SafeFileName(params["filename"]); n != "" {
					return n
				}
			}
		}
	}
	if u, err := url.Parse(r.Request.URL); err == nil {
		if n := SafeFileName(path.Base(u.Path)); n != "" {
			return n
		}
	}
	return "download"
}

// SafeFileName reduces a suggested name to one plain file name: no
// directories, no leading dots, no control or reserved characters, at most
// 200 bytes. It returns "" when nothing usable is left.
func SafeFileName(s string) string {
	s = strings.ReplaceAll(s, "\\", "/")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	s = strings.Map(func(c rune) rune {
		if unicode.IsControl(c) || strings.ContainsRune(`<>:"|?*`, c) {
			return '_'
		}
		return c
	}, s)
	s = strings.TrimLeft(strings.TrimSpace(s), ".")
	s = strings.TrimRight(s, ". ")
	for len(s) > 200 {
		_, size := lastRune(s)
		s = s[:len(s)-size]
	}
	if s == "" {
		return ""
	}
	return s
}

func lastRune(s string) (rune, int) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i]&0xC0 != 0x80 {
			return rune(s[i]), len(s) - i
		}
	}
	return 0, 1
}
