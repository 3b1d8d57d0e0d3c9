package proxy

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	xproxy "golang.org/x/net/proxy"
)

// Configure makes t connect as the setting says (see the package doc),
// setting t.Proxy and, for socks5://, wrapping t.DialContext (a plain
// net.Dialer when it is nil). A bad setting returns Validate's error and
// leaves t unchanged. "system" is read once, now: the engine calls
// Configure again (on a fresh transport) when the setting changes.
// Configure a transport before its first use; log may be nil.
func Configure(t *http.Transport, setting string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	u, err := parse(setting)
	if err != nil {
		return err
	}
	switch {
	case setting == None:
		t.Proxy = nil
	case setting == System:
		sys := ReadSystem(log)
		logSystem(log, sys)
		pf := sys.Config.ProxyFunc()
		t.Proxy = func(r *http.Request) (*url.URL, error) { return pf(r.URL) }
	case u.Scheme == "socks5":
		t.Proxy = nil
		t.DialContext = socksLocal(u, t.DialContext)
	default: // http, https, socks5h: the transport speaks them itself
		t.Proxy = http.ProxyURL(u)
	}
	return nil
}

func logSystem(log *slog.Logger, s SystemSettings) {
	if s.Source == "" {
		log.Info("proxy: system: no proxy configured; connecting directly")
		return
	}
	log.Info("proxy: system", "source", s.Source, "http", Redact(s.HTTPProxy),
		"https", Redact(s.HTTPSProxy), "noProxy", s.NoProxy)
}

type dialFunc = func(ctx context.Context, network, addr string) (net.Conn, error)

// forwardDialer lets x/net/proxy's SOCKS5 client dial the proxy with the
// transport's own dialer.
type forwardDialer struct{ dial dialFunc }

func (f forwardDialer) Dial(network, addr string) (net.Conn, error) {
	return f.dial(context.Background(), network, addr)
}

func (f forwardDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return f.dial(ctx, network, addr)
}

// socksLocal dials through a SOCKS5 proxy after resolving the target's
// name here (socks5:// as curl means it): the proxy gets IP addresses
// only, tried in the resolver's order.
func socksLocal(u *url.URL, base dialFunc) dialFunc {
	if base == nil {
		base = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	var auth *xproxy.Auth
	if u.User != nil {
		pw, _ := u.User.Password()
		auth = &xproxy.Auth{User: u.User.Username(), Password: pw}
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "1080")
	}
	return func(ctx context.Context, network, target string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(target)
		if err != nil {
			return nil, err
		}
		d, err := xproxy.SOCKS5("tcp", addr, auth, forwardDialer{base})
		if err != nil {
			return nil, err
		}
		cd := d.(xproxy.ContextDialer)
		if net.ParseIP(host) != nil {
			return cd.DialContext(ctx, network, target)
		}
		ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return nil, err
		}
		var first error
		for _, ip := range ips {
			c, err := cd.DialContext(ctx, network, net.JoinHostPort(ip.IP.String(), port))
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
			if ctx.Err() != nil {
				break
			}
		}
		return nil, first
	}
}
