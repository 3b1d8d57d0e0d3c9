package downloads

import (
	"context"
	"io"
	"mime"
	"net/url"
	"os"
	"path"
	"strings"
	"unicode"
)

func isEmptyFile(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == 0
}

// copyInto copies the file src into dst and syncs it; ctx ending stops
// the copy.
func copyInto(ctx context.Context, dst *os.File, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if _, err := io.Copy(dst, ctxReader{ctx, in}); err != nil {
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

// ctxReader reads r until ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
