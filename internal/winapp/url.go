package winapp

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Scheme is the per-user URL protocol a toast's click launches.
const Scheme = "bgfetch"

// ActivateFlag is how the protocol handler's command passes the URL:
// `bgfetch.exe --activate "bgfetch:click?…"`.
const ActivateFlag = "activate"

var uidPattern = regexp.MustCompile(`^r_[0-9a-f]{8,64}$`)

// ClickURL is the URL a toast about registration uid of the instance on
// dataDir launches when clicked: bgfetch:click?uid=…&dir=….
func ClickURL(dataDir, uid string) string {
	q := url.Values{"uid": {uid}, "dir": {dataDir}}
	return Scheme + ":click?" + q.Encode()
}

// ParseClickURL checks a bgfetch: URL from the outside (any program, a web
// page's link) and returns its data directory and uid. The uid must look
// like one; the directory must be a local absolute Windows path (a drive
// letter, no \\server\share or \\?\ form, no ".." step), because the
// handler reads that directory's files.
func ParseClickURL(raw string) (dataDir, uid string, err error) {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Scheme, Scheme) || u.Opaque != "click" {
		return "", "", fmt.Errorf("not a bgfetch click URL: %q", raw)
	}
	q := u.Query()
	uid, dataDir = q.Get("uid"), q.Get("dir")
	if !uidPattern.MatchString(uid) {
		return "", "", fmt.Errorf("bgfetch URL: %q is not a registration uid", uid)
	}
	if err := checkLocalWindowsPath(dataDir); err != nil {
		return "", "", fmt.Errorf("bgfetch URL: data directory: %w", err)
	}
	return dataDir, uid, nil
}

func checkLocalWindowsPath(p string) error {
	if len(p) < 3 || !isLetter(p[0]) || p[1] != ':' || p[2] != '\\' {
		return errors.New("not an absolute local path (C:\\…)")
	}
	if strings.ContainsAny(p, "/\x00") || strings.Contains(p, `\\`) {
		return errors.New("not a plain local path")
	}
	for _, part := range strings.Split(p[3:], `\`) {
		if part == ".." || part == "." {
			return errors.New("relative steps are not allowed")
		}
	}
	return nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ProtocolCommand is the shell\open\command of the bgfetch: protocol:
// "C:\…\bgfetch.exe" --activate "%1".
func ProtocolCommand(exe string) string {
	return `"` + exe + `" --` + ActivateFlag + ` "%1"`
}
