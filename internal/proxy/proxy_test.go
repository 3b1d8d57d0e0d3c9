package proxy

import (
	"context"
	"crypto/x509"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testproxy"
)

// Through an HTTP proxy that requires credentials: an http target is
// forwarded as an absolute-URI request, named as the client gave it (the
// proxy resolved origin.test: nothing else can).
func TestHTTPProxyForwardsWithCredentials(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	p := testproxy.NewHTTP(t, testproxy.HTTPOptions{User: "alice", Password: "s3cr:t@", Hosts: hosts})
	c := client(t, "http://alice:s3cr%3At%40@"+p.Addr, nil)
	mustDownload(t, c, o.url("origin.test"), o.body)
	want := []testproxy.Target{{Addr: "origin.test:" + o.port, Domain: true, Via: "forward"}}
	if got := p.Targets(); !slices.Equal(got, want) {
		t.Fatalf("targets %+v, want %+v", got, want)
	}
	if p.Down.Load() < int64(len(o.body)) || p.AuthFailures.Load() != 0 {
		t.Fatalf("proxy relayed %d bytes (body %d), %d auth failures", p.Down.Load(), len(o.body), p.AuthFailures.Load())
	}
}

// Missing or wrong credentials: the proxy answers 407 and forwards nothing.
func TestHTTPProxyRefusesBadCredentials(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	p := testproxy.NewHTTP(t, testproxy.HTTPOptions{User: "alice", Password: "s3cret", Hosts: hosts})
	for _, setting := range []string{"http://" + p.Addr, "http://alice:wrong@" + p.Addr, "http://bob:s3cret@" + p.Addr} {
		_, status, err := get(client(t, setting, nil), o.url("origin.test"))
		if err != nil || status != http.StatusProxyAuthRequired {
			t.Fatalf("%s: status %d, err %v; want 407", Redact(setting), status, err)
		}
	}
	// CONNECT too: the transport reports the proxy's refusal.
	_, _, err := get(client(t, "http://alice:wrong@"+p.Addr, trust(o.pool)), o.tlsURL("origin.test"))
	if err == nil || !strings.Contains(err.Error(), "Proxy Authentication Required") {
		t.Fatalf("CONNECT with a wrong password: %v", err)
	}
	if n := p.AuthFailures.Load(); n != 4 || len(p.Targets()) != 0 {
		t.Fatalf("%d auth failures (want 4), targets %+v (want none)", n, p.Targets())
	}
}

// An https target through an HTTP proxy: a CONNECT tunnel with
// Proxy-Authorization, TLS end to end with the origin.
func TestHTTPProxyConnectForHTTPS(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	p := testproxy.NewHTTP(t, testproxy.HTTPOptions{User: "alice", Password: "s3cret", Hosts: hosts})
	c := client(t, "http://alice:s3cret@"+p.Addr, trust(o.pool))
	mustDownload(t, c, o.tlsURL("origin.test"), o.body)
	got := p.Targets()
	if len(got) != 1 || got[0].Via != "connect" || !strings.HasPrefix(got[0].Addr, "origin.test:") {
		t.Fatalf("targets %+v, want one CONNECT to origin.test", got)
	}
	if p.Down.Load() < int64(len(o.body)) {
		t.Fatalf("the tunnel relayed %d bytes of a %d-byte body", p.Down.Load(), len(o.body))
	}
}

// An https:// proxy: the client speaks TLS to the proxy itself.
func TestHTTPSProxy(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	cfg, _ := testproxy.Cert(t, "127.0.0.1")
	p := testproxy.NewHTTP(t, testproxy.HTTPOptions{User: "alice", Password: "s3cret", Hosts: hosts, TLS: cfg})
	if !strings.HasPrefix(p.URL, "https://") {
		t.Fatalf("proxy URL %s", p.URL)
	}
	both := x509.NewCertPool()
	both.AddCert(cfg.Certificates[0].Leaf)
	both.AddCert(firstCert(t, o))
	c := client(t, "https://alice:s3cret@"+p.Addr, trust(both))
	mustDownload(t, c, o.url("origin.test"), o.body)
	mustDownload(t, c, o.tlsURL("origin.test"), o.body)
	if n := len(p.Targets()); n != 2 {
		t.Fatalf("%d targets, want 2: %+v", n, p.Targets())
	}
	// The proxy's certificate is checked like any server's.
	if _, _, err := get(client(t, "https://alice:s3cret@"+p.Addr, nil), o.url("origin.test")); err == nil {
		t.Fatal("an untrusted proxy certificate was accepted")
	}
}

func firstCert(t *testing.T, o *origin) *x509.Certificate {
	t.Helper()
	return o.tls.TLS.Certificates[0].Leaf
}

// socks5://: bgfetch resolves the name and the proxy gets only addresses;
// a name only the proxy could resolve therefore fails.
func TestSOCKS5ResolvesLocally(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	s := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{User: "alice", Password: "s3cret", Hosts: hosts})
	c := client(t, "socks5://alice:s3cret@"+s.Addr, trust(o.pool))
	mustDownload(t, c, o.url("localhost"), o.body)
	mustDownload(t, c, o.tlsURL("localhost"), o.body)
	got := s.Targets()
	if len(got) == 0 {
		t.Fatal("no target recorded")
	}
	for _, tg := range got {
		if tg.Domain {
			t.Fatalf("socks5:// sent the proxy a name: %+v", got)
		}
	}
	if last := got[len(got)-1]; !strings.HasPrefix(last.Addr, "127.0.0.1:") {
		t.Fatalf("last target %+v, want 127.0.0.1", last)
	}
	n := len(got)
	if _, _, err := get(c, o.url("origin.test")); err == nil {
		t.Fatal("socks5:// reached origin.test: the name was not resolved locally")
	}
	if len(s.Targets()) != n {
		t.Fatalf("an unresolvable name reached the proxy: %+v", s.Targets())
	}
}

// socks5h://: the proxy resolves the name (it alone knows origin.test).
func TestSOCKS5HLetsTheProxyResolve(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	s := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{User: "alice", Password: "s3cret", Hosts: hosts})
	c := client(t, "socks5h://alice:s3cret@"+s.Addr, trust(o.pool))
	mustDownload(t, c, o.url("origin.test"), o.body)
	mustDownload(t, c, o.tlsURL("origin.test"), o.body)
	got := s.Targets()
	if len(got) != 2 || !got[0].Domain || got[0].Addr != "origin.test:"+o.port || !got[1].Domain {
		t.Fatalf("targets %+v, want origin.test by name twice", got)
	}
	if s.Down.Load() < 2*int64(len(o.body)) {
		t.Fatalf("the proxy relayed %d bytes for two %d-byte bodies", s.Down.Load(), len(o.body))
	}
}

// SOCKS5 credentials: required when the server asks for them, checked;
// a server without authentication needs none.
func TestSOCKS5Credentials(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	s := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{User: "alice", Password: "s3cret", Hosts: hosts})
	for _, setting := range []string{"socks5h://" + s.Addr, "socks5h://alice:wrong@" + s.Addr, "socks5://alice:wrong@" + s.Addr} {
		if _, _, err := get(client(t, setting, nil), o.url("127.0.0.1")); err == nil {
			t.Fatalf("%s: downloaded without the right credentials", Redact(setting))
		}
	}
	if n := s.AuthFailures.Load(); n != 3 || len(s.Targets()) != 0 {
		t.Fatalf("%d auth failures (want 3), targets %+v", n, s.Targets())
	}
	open := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{Hosts: hosts})
	mustDownload(t, client(t, "socks5h://"+open.Addr, nil), o.url("origin.test"), o.body)
	mustDownload(t, client(t, "socks5://"+open.Addr, nil), o.url("127.0.0.1"), o.body)
	if n := len(open.Targets()); n != 2 {
		t.Fatalf("%d targets on the open server, want 2", n)
	}
}

// socks5:// keeps the transport's own dialer for reaching the proxy.
func TestSOCKS5UsesTheTransportDialer(t *testing.T) {
	t.Parallel()
	o := newOrigin(t)
	s := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{})
	dialed := make(chan string, 10)
	c := client(t, "socks5://"+s.Addr, func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialed <- addr
			return hostsDial(ctx, network, addr)
		}
	})
	mustDownload(t, c, o.url("127.0.0.1"), o.body)
	if got := <-dialed; got != s.Addr {
		t.Fatalf("the transport's dialer dialed %s, want the proxy %s", got, s.Addr)
	}
}
