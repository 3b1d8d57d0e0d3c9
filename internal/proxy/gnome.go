package proxy

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const gnomeSchema = "org.gnome.system.proxy"

// readGNOME reads org.gnome.system.proxy with one `gsettings
// list-recursively` (the same values `gsettings get` prints). found is
// false when gsettings or the schema is missing, and when no dconf
// database holds settings (see noDconfSettings).
func readGNOME(log *slog.Logger) (s SystemSettings, found bool) {
	if noDconfSettings() {
		return SystemSettings{}, false
	}
	path, err := exec.LookPath("gsettings")
	if err != nil {
		return SystemSettings{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "list-recursively", gnomeSchema).Output()
	if err != nil {
		log.Debug("proxy: gsettings could not read "+gnomeSchema, "err", err)
		return SystemSettings{}, false
	}
	return parseGNOME(string(out), log)
}

// noDconfSettings reports that gsettings would read nothing but the
// schema's defaults (mode 'none'): its backend is dconf and neither the
// user's database ($XDG_CONFIG_HOME/dconf/user) nor a system one
// (/etc/dconf/db) exists. Running gsettings then would only leave
// ~/.cache/dconf/user behind outside a desktop session (where
// $XDG_RUNTIME_DIR is unset), a file bgfetch has no business writing.
func noDconfSettings() bool {
	if b := os.Getenv("GSETTINGS_BACKEND"); b != "" && b != "dconf" {
		return false
	}
	config := os.Getenv("XDG_CONFIG_HOME")
	if config == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return false
		}
		config = filepath.Join(home, ".config")
	}
	if _, err := os.Stat(filepath.Join(config, "dconf", "user")); err == nil {
		return false
	}
	if dbs, _ := os.ReadDir("/etc/dconf/db"); len(dbs) > 0 {
		return false
	}
	return true
}

// parseGNOME turns `gsettings list-recursively org.gnome.system.proxy`
// output into settings (see readGNOME).
func parseGNOME(out string, log *slog.Logger) (SystemSettings, bool) {
	v := map[string]string{} // "http.host" → the value as printed
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		schema, rest, ok := strings.Cut(sc.Text(), " ")
		key, val, ok2 := strings.Cut(rest, " ")
		if !ok || !ok2 || !strings.HasPrefix(schema, gnomeSchema) {
			continue
		}
		sub := strings.TrimPrefix(strings.TrimPrefix(schema, gnomeSchema), ".")
		if sub != "" {
			key = sub + "." + key
		}
		v[key] = val
	}
	mode, _ := gvString(v["mode"])
	switch mode {
	case "":
		return SystemSettings{}, false
	case "none":
		return SystemSettings{}, true
	case "auto":
		url, _ := gvString(v["autoconfig-url"])
		log.Info("proxy: GNOME proxy mode is automatic (PAC/WPAD), which bgfetch does not evaluate; connecting directly",
			"autoconfigURL", url)
		return SystemSettings{}, true
	case "manual":
	default:
		log.Info("proxy: unknown GNOME proxy mode; connecting directly", "mode", mode)
		return SystemSettings{}, true
	}
	hostPort := func(sub string) string {
		h, _ := gvString(v[sub+".host"])
		p, err := strconv.Atoi(gvScalar(v[sub+".port"]))
		if h == "" || err != nil || p <= 0 || p > 65535 {
			return ""
		}
		return net.JoinHostPort(h, strconv.Itoa(p))
	}
	var userinfo string
	if gvScalar(v["http.use-authentication"]) == "true" {
		user, _ := gvString(v["http.authentication-user"])
		pw, _ := gvString(v["http.authentication-password"])
		if user != "" {
			userinfo = url.UserPassword(user, pw).String() + "@"
		}
	}
	var s SystemSettings
	httpHP, httpsHP, socksHP := hostPort("http"), hostPort("https"), hostPort("socks")
	if httpHP != "" {
		s.HTTPProxy = "http://" + userinfo + httpHP
	}
	if httpsHP != "" {
		// GNOME's "https" proxy is an HTTP proxy for https URLs; the
		// credentials are the http proxy's, sent only to that same proxy.
		s.HTTPSProxy = "http://" + httpsHP
		if httpsHP == httpHP {
			s.HTTPSProxy = s.HTTPProxy
		}
	}
	if socksHP != "" {
		// glib-networking's order: the scheme's proxy, else SOCKS.
		if s.HTTPProxy == "" {
			s.HTTPProxy = "socks5://" + socksHP
		}
		if s.HTTPSProxy == "" {
			s.HTTPSProxy = "socks5://" + socksHP
		}
	}
	if s.HTTPProxy == "" && s.HTTPSProxy == "" {
		return SystemSettings{}, true
	}
	s.Source = "gnome"
	ignore, _ := gvStrings(v["ignore-hosts"])
	s.NoProxy = noProxyList(ignore)
	return s, true
}

// gvScalar strips a GVariant type annotation ("uint32 8080" → "8080").
func gvScalar(v string) string {
	f := strings.Fields(v)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// gvString parses a GVariant string as gsettings prints it ('…' or
// "…", backslash escapes).
func gvString(v string) (string, error) {
	s, rest, err := gvQuoted(strings.TrimSpace(v))
	if err == nil && strings.TrimSpace(rest) != "" {
		err = errors.New("trailing text after a string")
	}
	return s, err
}

func gvQuoted(v string) (string, string, error) {
	if v == "" || (v[0] != '\'' && v[0] != '"') {
		return "", v, errors.New("not a string")
	}
	q := v[0]
	var b strings.Builder
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch {
		case c == q:
			return b.String(), v[i+1:], nil
		case c == '\\' && i+1 < len(v):
			i++
			switch v[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'u':
				if i+4 < len(v) {
					if r, err := strconv.ParseUint(v[i+1:i+5], 16, 32); err == nil {
						b.WriteRune(rune(r))
						i += 4
						continue
					}
				}
				b.WriteByte('u')
			default:
				b.WriteByte(v[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated string")
}

// gvStrings parses a GVariant array of strings: ['a', 'b'] or @as [].
func gvStrings(v string) ([]string, error) {
	v = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "@as"))
	if !strings.HasPrefix(v, "[") {
		return nil, errors.New("not an array")
	}
	v = strings.TrimSpace(v[1:])
	var out []string
	for {
		if strings.HasPrefix(v, "]") {
			return out, nil
		}
		s, rest, err := gvQuoted(v)
		if err != nil {
			return out, err
		}
		out = append(out, s)
		v = strings.TrimLeft(strings.TrimSpace(rest), ",")
		v = strings.TrimSpace(v)
	}
}
