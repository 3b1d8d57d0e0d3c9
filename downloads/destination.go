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
)

// moveToDestination moves every successful body into the fetch's
// destination folder under a safe, collision-free name. m.mu held.
func (m *Manager) moveToDestination(f *fetch) *failure {
	dest := f.reg.Destination
	if err := os.MkdirAll(dest, 0o755); err != nil {
		return failf(ReasonFetchError, "create destination: %v", err)
	}
	for _, r := range f.recs {
		if r.State != RecordSuccess || r.Response == nil {
			continue
		}
		src := r.Response.Path
		if !strings.HasPrefix(src, m.bodiesDir+string(filepath.Separator)) {
			continue // moved before a restart
		}
		target, err := placeFile(dest, src, bodyName(r))
		if err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return failf(ReasonQuotaExceeded, "the destination is full: %v", err)
			}
			return failf(ReasonFetchError, "move to destination: %v", err)
		}
		r.Response.Path = target
	}
	return nil
}

// placeFile moves src into dir under name, or "name (N).ext" when taken.
// The name is claimed with O_CREATE|O_EXCL, which never follows a symlink
// planted in dir, and is then replaced by the body.
func placeFile(dir, src, name string) (string, error) {
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
		if err := os.Rename(src, target); err == nil {
			fh.Close()
			return target, syncDir(dir)
		}
		// Another file system: copy into the claimed file.
		err = copyInto(fh, src)
		fh.Close()
		if err != nil {
			os.Remove(target)
			return "", err
		}
		os.Remove(src)
		return target, nil
	}
	return "", fmt.Errorf("no free name for %q in %s", name, dir)
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

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	d.Sync() // not supported everywhere; best effort
	return nil
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
