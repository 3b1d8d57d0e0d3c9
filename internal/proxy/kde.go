package proxy

import (
	"bufio"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// kioslavercPath is KDE's proxy configuration: $XDG_CONFIG_HOME/kioslaverc,
// or ~/.config/kioslaverc.
func kioslavercPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "kioslaverc")
}

// readKDE reads kioslaverc's [Proxy Settings]. found is false when the
// file or its ProxyType is missing.
func readKDE(log *slog.Logger) (SystemSettings, bool) {
	p := kioslavercPath()
	if p == "" {
		return SystemSettings{}, false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return SystemSettings{}, false
	}
	return parseKDE(string(b), log)
}

// KDE's ProxyType values.
const (
	kdeNone        = "0"
	kdeManual      = "1"
	kdePAC         = "2"
	kdeWPAD        = "3"
	kdeEnvironment = "4"
)

// parseKDE turns kioslaverc's text into settings (see readKDE).
func parseKDE(text string, log *slog.Logger) (SystemSettings, bool) {
	v := iniSection(text, "Proxy Settings")
	typ, ok := v["ProxyType"]
	if !ok {
		return SystemSettings{}, false
	}
	get := func(k string) string { return v[k] }
	switch typ {
	case kdeNone:
		return SystemSettings{}, true
	case kdePAC, kdeWPAD:
		log.Info("proxy: KDE proxy type is automatic (PAC/WPAD), which bgfetch does not evaluate; connecting directly",
			"proxyType", typ, "script", v["Proxy Config Script"])
		return SystemSettings{}, true
	case kdeManual:
	case kdeEnvironment:
		// The values name environment variables (e.g. httpProxy=HTTP_PROXY).
		get = func(k string) string {
			if name := strings.TrimSpace(v[k]); name != "" {
				return os.Getenv(name)
			}
			return ""
		}
	default:
		log.Info("proxy: unknown KDE ProxyType; connecting directly", "proxyType", typ)
		return SystemSettings{}, true
	}
	if v["ReversedException"] == "true" {
		log.Info("proxy: KDE's reversed exceptions (proxy only the listed hosts) are not supported; connecting directly")
		return SystemSettings{}, true
	}
	var s SystemSettings
	socks := kdeURL(get("socksProxy"), "socks5")
	s.HTTPProxy = firstOf(kdeURL(get("httpProxy"), "http"), socks)
	s.HTTPSProxy = firstOf(kdeURL(get("httpsProxy"), "http"), socks)
	if s.HTTPProxy == "" && s.HTTPSProxy == "" {
		return SystemSettings{}, true
	}
	s.Source = "kde"
	s.NoProxy = noProxyList(strings.Split(get("NoProxyFor"), ","))
	return s, true
}

// kdeURL normalises a KDE proxy value: "http://host 8080" (KDE's own
// form, the port after a space) or "host:8080" become a URL; "socks://"
// becomes socks5:// (KDE means SOCKS5).
func kdeURL(v, scheme string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if i := strings.LastIndex(v, " "); i >= 0 {
		v = strings.TrimSpace(v[:i]) + ":" + strings.TrimSpace(v[i+1:])
	}
	if s, rest, ok := strings.Cut(v, "://"); ok {
		if s == "socks" {
			s = "socks5"
		}
		return s + "://" + rest
	}
	return scheme + "://" + v
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// iniSection returns the keys of one [section] of a KDE config file;
// key flags such as [$e] are dropped from the names.
func iniSection(text, section string) map[string]string {
	out := map[string]string{}
	in := false
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[':
			in = line == "["+section+"]"
		case in:
			k, val, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k = strings.TrimSpace(k)
			if i := strings.Index(k, "["); i > 0 {
				k = k[:i]
			}
			out[k] = strings.TrimSpace(val)
		}
	}
	return out
}
