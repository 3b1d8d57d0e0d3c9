package proxy

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// The special settings.
const (
	System = "system"
	None   = "none"
)

// parse checks a setting; for a URL it returns it parsed (nil for
// "system" and "none").
func parse(setting string) (*url.URL, error) {
	if setting == System || setting == None {
		return nil, nil
	}
	u, err := url.Parse(setting)
	if err != nil || !strings.Contains(setting, "://") {
		return nil, bad(setting, `is not "system", "none" or a proxy URL (http://, https://, socks5:// or socks5h://)`)
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, bad(setting, "has scheme "+strconv.Quote(u.Scheme)+": use http://, https://, socks5:// or socks5h://")
	}
	if u.Hostname() == "" {
		return nil, bad(setting, "has no host")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, bad(setting, "has port "+p+": a port is 1-65535")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return nil, bad(setting, "has an empty port")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, bad(setting, "has a path, query or fragment: give scheme://[user:password@]host[:port]")
	}
	return u, nil
}

func bad(setting, why string) *model.Error {
	return model.TypeErrorf("proxy: %q %s", Redact(setting), why)
}

// Validate returns nil for a valid proxy setting, else a TypeError that
// names the field `proxy` and the value (credentials hidden).
func Validate(setting string) error {
	if _, err := parse(setting); err != nil {
		return err
	}
	return nil
}

// Redact returns the setting with any credentials replaced by "***",
// for logs and error messages: "http://***@proxy:3128". Everything before
// the last "@" goes, so a malformed setting leaks nothing either.
func Redact(setting string) string {
	scheme, rest := "", setting
	if i := strings.Index(setting, "://"); i >= 0 {
		scheme, rest = setting[:i+3], setting[i+3:]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		return scheme + "***@" + rest[i+1:]
	}
	return setting
}
