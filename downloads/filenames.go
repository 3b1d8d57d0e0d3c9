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

// SafeFileName reduces a suggested name to one plain file name on every
// OS: no directories, no leading dots, no control or reserved characters
// (<>:"|?*), no trailing dots or spaces, at most 200 bytes, and not a
// name Windows reserves for a device (CON, PRN, AUX, NUL, COM0–9,
// LPT0–9, COM¹²³, LPT¹²³, CONIN$, CONOUT$, with any extension: "nul.txt"
// is the NUL device there, and a body moved to it would vanish), which
// gets a leading "_". It returns "" when nothing usable is left.
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
	if windowsDevice(s) {
		s = "_" + s
	}
	return s
}

// windowsDevice reports whether Windows takes name for a device: its part
// before the first dot, without trailing spaces, is a device name.
func windowsDevice(name string) bool {
	stem, _, _ := strings.Cut(name, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	switch stem {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	for _, dev := range []string{"COM", "LPT"} {
		if n, ok := strings.CutPrefix(stem, dev); ok {
			switch n {
			case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
				return true
			}
		}
	}
	return false
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
