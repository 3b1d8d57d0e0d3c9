package proxy

import (
	"log/slog"
	"os"
	"strings"

	"golang.org/x/net/http/httpproxy"
)

// SystemSettings are the proxies the "system" setting found.
type SystemSettings struct {
	// Source is "environment", "gnome" or "kde"; "" when none names a
	// proxy (then connections are direct).
	Source string
	// Config holds the proxy URLs (HTTPProxy for http targets,
	// HTTPSProxy for https ones; socks5:// for a desktop's SOCKS proxy)
	// and the NoProxy list, in NO_PROXY's syntax.
	httpproxy.Config
}

// ReadSystem reads the system's proxy settings now: the environment when
// it names a proxy, else the desktop's (KDE's first when
// XDG_CURRENT_DESKTOP says KDE, else GNOME's first). NO_PROXY from the
// environment is added to a desktop's exceptions.
func ReadSystem(log *slog.Logger) SystemSettings {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	env := fromEnvironment()
	if env.HTTPProxy != "" || env.HTTPSProxy != "" {
		return SystemSettings{Source: "environment", Config: env}
	}
	readers := []func(*slog.Logger) (SystemSettings, bool){readGNOME, readKDE}
	if isKDE() {
		readers[0], readers[1] = readKDE, readGNOME
	}
	for _, read := range readers {
		s, found := read(log)
		if !found {
			continue
		}
		if s.Source == "" {
			return SystemSettings{} // the desktop says: no proxy
		}
		s.NoProxy = joinList(s.NoProxy, env.NoProxy)
		return s
	}
	return SystemSettings{}
}

// fromEnvironment reads HTTP_PROXY, HTTPS_PROXY and NO_PROXY (either
// case, as x/net's httpproxy does) and, for whichever of the first two is
// unset, ALL_PROXY (as curl does).
func fromEnvironment() httpproxy.Config {
	c := *httpproxy.FromEnvironment()
	all := getenvAny("ALL_PROXY", "all_proxy")
	if c.HTTPProxy == "" {
		c.HTTPProxy = all
	}
	if c.HTTPSProxy == "" {
		c.HTTPSProxy = all
	}
	return c
}

func getenvAny(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func isKDE() bool {
	return strings.Contains(strings.ToUpper(os.Getenv("XDG_CURRENT_DESKTOP")), "KDE") ||
		os.Getenv("KDE_FULL_SESSION") == "true"
}

// noProxyList turns a desktop's exception list into NO_PROXY's syntax:
// "*.example.com" becomes ".example.com" (subdomains), the rest stays
// (names match themselves and their subdomains, IPs and CIDR ranges,
// "*" everything).
func noProxyList(hosts []string) string {
	var out []string
	for _, h := range hosts {
		h = strings.TrimSpace(h)
		switch {
		case h == "":
		case h == "*":
			out = append(out, "*")
		case strings.HasPrefix(h, "*."):
			out = append(out, h[1:])
		default:
			out = append(out, strings.TrimPrefix(h, "*"))
		}
	}
	return strings.Join(out, ",")
}

func joinList(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "," + b
}
