package downloads

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode"

	"github.com/bgfetch/bgfetch/persistence"
)

// moveToDestination moves every successful body into the fetch's
// destination folder under a safe, collision-free name. m.mu held.
//
// A crash at any point leaves no stray file and never gives a body a
// second name ("name (1)") on the next start:
//
//  1. stage: the body gets a name of ours in the destination,
//     .bgfetch-<uid>-<index> (a hard link; across file systems a copy,
//     synced before it takes that name);
//  2. place: the staged body is linked under its free user-facing name;
//     link never replaces an existing file or follows a symlink planted
//     there, and a taken name that is the same file as the staged body
//     (os.SameFile) is ours from before a crash;
//  3. one transaction stores the new names in the records;
//  4. finish: the staging names and the data dir's names are removed.
//
// Steps 1, 2 and 4 are repeatable, so a restart simply runs this again. On
// file systems without hard links (FAT, exFAT) step 2 renames the staged
// body without replacing anything (Linux's RENAME_NOREPLACE) and
// recognises it after a crash by its bytes. Where even that is missing
// (FAT elsewhere), step 2 claims the name with an empty file (O_EXCL) and
// step 4 renames the staged body over it; there a crash between 2 and 3
// can leave that empty file behind.
func (m *Manager) moveToDestination(f *fetch) *failure {
	dest := f.reg.Destination
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return failf(ReasonFetchError, "create destination: %v", err)
	}
	var placed []*record
	for _, r := range f.recs {
		if r.State != RecordSuccess || r.Response == nil || r.Response.Path != m.partialPath(f, r) {
			continue // nothing to move, or placed before a restart
		}
		staged := stagingPath(dest, f, r)
		if err := stageBody(r.Response.Path, staged); err != nil {
			m.unplace(f, placed)
			return destinationFailure(err)
		}
		target, err := placeBody(r.Response.Path, staged, dest, bodyName(r))
		if err != nil {
			placed = append(placed, r) // its staged copy goes too
			m.unplace(f, placed)
			return destinationFailure(err)
		}
		r.Response.Path = target
		placed = append(placed, r)
	}
	err := m.store.UpdateMany(len(placed), func(tx *persistence.Tx, i int) error {
		return putRecord(tx, f.reg.UID, placed[i])
	})
	if err != nil {
		m.unplace(f, placed)
		return failf(ReasonFetchError, "store destination names: %v", err)
	}
	for _, r := range f.recs {
		if !m.movedOut(f, r) {
			continue
		}
		if err := finishPlacement(m.partialPath(f, r), stagingPath(dest, f, r), r.Response.Path); err != nil {
			m.unplace(f, f.recs)
			return destinationFailure(err)
		}
	}
	syncDir(dest)
	return nil
}

// movedOut reports whether r's body has (or is getting) a name in the
// destination. m.mu held.
func (m *Manager) movedOut(f *fetch, r *record) bool {
	return r.State == RecordSuccess && r.Response != nil && r.Response.Path != "" && r.Response.Path != m.partialPath(f, r)
}

// stagingPath is the body's name of ours in the destination while it
// moves. Names derived from a server never start with a dot (SafeFileName),
// so it cannot be a name a body takes.
func stagingPath(dest string, f *fetch, r *record) string {
	return filepath.Join(dest, ".bgfetch-"+f.reg.UID+"-"+strconv.Itoa(r.Index))
}

// stageBody gives the body at src the name staged in the destination. We
// only ever make a staged name appear complete (a link, or a synced copy
// renamed into place), so one from before a crash is kept — once it proves
// to be the body: the same file, or a regular file with the same bytes.
// Anything else found under the name (a planted file or symlink) goes; the
// name is bgfetch's.
func stageBody(src, staged string) error {
	tmp := staged + ".copying"
	os.Remove(tmp) // a copy a crash interrupted
	if _, err := os.Lstat(staged); err == nil {
		if sameFile(src, staged) || sameContent(src, staged) {
			return nil
		}
		if err := os.Remove(staged); err != nil {
			return err
		}
	}
	if err := os.Link(src, staged); err == nil {
		return nil
	}
	// Another file system, or one without hard links: copy.
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	err = copyInto(fh, src)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, staged)
	}
	if err != nil {
		os.Remove(tmp) // never leave a partial copy in the user's folder
	}
	return err
}

// How placeBody gives a name, best first.
const (
	placeByLink   = iota // a hard link: the staged name and the new one are the same file
	placeByRename        // no hard links: rename without replacing (Linux)
	placeByClaim         // neither: claim the name with an empty file
)

// firstPlaceMode is where placeBody starts. Tests start further down to
// drive the branches for file systems without hard links, since CI's
// container can mount none (no vfat or exfat in its kernel).
var firstPlaceMode = placeByLink

// placeBody gives the staged body its user-facing name in dir: name, or
// "name (N).ext" when taken, and returns its path. A name taken by this
// very body before a crash is recognised: as the same file (a link), or,
// where the body was renamed there, as the same bytes as src, which stays
// in the data dir until the move finishes.
func placeBody(src, staged, dir, name string) (string, error) {
	mode := firstPlaceMode
	return freeName(dir, name, func(target string) (bool, error) {
		for {
			switch mode {
			case placeByLink:
				err := os.Link(staged, target)
				if err == nil {
					return true, nil
				}
				if errors.Is(err, os.ErrExist) {
					return sameFile(staged, target), nil
				}
				mode = placeByRename
			case placeByRename:
				if sameContent(src, target) {
					return true, os.Remove(staged)
				}
				err := renameNoReplace(staged, target)
				if err == nil {
					return true, nil
				}
				if errors.Is(err, os.ErrExist) {
					return false, nil
				}
				if !errors.Is(err, errors.ErrUnsupported) {
					return false, err
				}
				mode = placeByClaim
			default:
				fh, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if errors.Is(err, os.ErrExist) {
					return false, nil
				}
				if err != nil {
					return false, err
				}
				return true, fh.Close()
			}
		}
	})
}

// freeName tries name, then "name (1).ext", … in dir until take accepts
// one (or fails), and returns its path.
func freeName(dir, name string, take func(target string) (bool, error)) (string, error) {
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
		ok, err := take(target)
		if err != nil {
			return "", err
		}
		if ok {
			return target, nil
		}
	}
	return "", fmt.Errorf("no free name for %q in %s", name, dir)
}

// sameFile reports whether b is the very file at a, without following a
// symlink at b.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Lstat(b)
	return err == nil && os.SameFile(fa, fb)
}

// sameContent reports whether the regular file b (not a symlink) holds
// exactly the bytes of a.
func sameContent(a, b string) bool {
	fb, err := os.Lstat(b)
	if err != nil || !fb.Mode().IsRegular() {
		return false
	}
	fa, err := os.Stat(a)
	if err != nil || fa.Size() != fb.Size() {
		return false
	}
	ha, err := os.Open(a)
	if err != nil {
		return false
	}
	defer ha.Close()
	hb, err := os.Open(b)
	if err != nil {
		return false
	}
	defer hb.Close()
	bufA, bufB := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, errA := io.ReadFull(ha, bufA)
		nb, errB := io.ReadFull(hb, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false
		}
		if errA != nil || errB != nil {
			return errors.Is(errA, io.ErrUnexpectedEOF) || errors.Is(errA, io.EOF)
		}
	}
}

// finishPlacement ends a move whose name is stored: the staged body
// becomes the target (already, when linked; by a rename over the claimed
// empty file on file systems without hard links), then the staging and
// data dir names go. Repeatable after a crash.
func finishPlacement(src, staged, target string) error {
	if fi, err := os.Lstat(staged); err == nil {
		switch {
		case sameFile(staged, target):
			err = os.Remove(staged)
		case fi.Mode().IsRegular() && isEmptyFile(target):
			err = os.Rename(staged, target) // over the claimed name
		default:
			err = os.Remove(staged) // not the body (it was renamed, or this was planted)
		}
		if err != nil {
			return err
		}
	}
	if err := os.Remove(src); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// unplace undoes an unfinished move (after an error): the names taken
// for records whose move did not finish are given back, staged names
// removed, and the records point at the data dir again, where every such
// body still is. m.mu held.
func (m *Manager) unplace(f *fetch, recs []*record) {
	var back []*record
	for _, r := range recs {
		if r.State != RecordSuccess || r.Response == nil {
			continue
		}
		src := m.partialPath(f, r)
		if _, err := os.Stat(src); err != nil {
			continue // finished: the body is where the record says
		}
		staged := stagingPath(f.reg.Destination, f, r)
		if t := r.Response.Path; t != "" && t != src {
			_, err := os.Lstat(staged)
			if sameFile(staged, t) || isEmptyFile(t) || (err != nil && sameContent(src, t)) {
				os.Remove(t)
			}
			r.Response.Path = src
			back = append(back, r)
		}
		os.Remove(staged)
	}
	err := m.store.UpdateMany(len(back), func(tx *persistence.Tx, i int) error {
		return putRecord(tx, f.reg.UID, back[i])
	})
	if err != nil {
		m.log.Error("store records after a failed move", "uid", f.reg.UID, "err", err)
	}
}

func isEmptyFile(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == 0
}

func destinationFailure(err error) *failure {
	if errors.Is(err, syscall.ENOSPC) {
		return failf(ReasonQuotaExceeded, "the destination is full: %v", err)
	}
	return failf(ReasonFetchError, "move to destination: %v", err)
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
