package downloads

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The file-system steps of a move to a destination (destination.go).

// stageBody gives the body at src the name staged in the destination. We
// only ever make a staged name appear complete (a link, or a synced copy
// renamed into place), so one from before a crash is kept — once it proves
// to be the body: the same file, or a regular file with the same bytes.
// Anything else found under the name (a planted file or symlink) goes; the
// name is bgfetch's.
func stageBody(ctx context.Context, src, staged string) error {
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
	err = copyInto(ctx, fh, src)
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
// Config.firstPlaceMode is where placeBody starts; tests start further
// down to drive the branches for file systems without hard links, since
// CI's container can mount none (no vfat or exfat in its kernel).
const (
	placeByLink   = iota // a hard link: the staged name and the new one are the same file
	placeByRename        // no hard links: rename without replacing (Linux)
	placeByClaim         // neither: claim the name with an empty file
)

// placeBody gives the staged body its user-facing name in dir: name, or
// "name (N).ext" when taken, and returns its path. A name taken by this
// very body before a crash is recognised: as the same file (a link), or,
// where the body was renamed there, as the same bytes as src, which stays
// in the data dir until the move finishes.
func placeBody(src, staged, dir, name string, mode int) (string, error) {
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
