package testproxy

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// HTTP is an HTTP proxy on loopback: absolute-URI requests are forwarded,
// CONNECT opens a tunnel. With User set, every request must carry
// Proxy-Authorization: Basic with User and Password (407 otherwise).
type HTTP struct {
	Stats
	// URL is the proxy's own URL without credentials
	// (http://127.0.0.1:PORT, or https:// with TLS).
	URL string
	// Addr is its host:port.
	Addr string

	user, password string
	resolver       Resolver
	forward        *http.Transport
}

// HTTPOptions configure NewHTTP.
type HTTPOptions struct {
	// User and Password, when User is set, are required of every client.
	User, Password string
	// Hosts are names the proxy resolves itself (name → IP address).
	Hosts map[string]string
	// TLS, when set, makes it an https:// proxy: clients speak TLS to it.
	TLS *tls.Config
}

// NewHTTP starts an HTTP proxy, stopped at the end of the test.
func NewHTTP(t testing.TB, o HTTPOptions) *HTTP {
	t.Helper()
	p := &HTTP{user: o.User, password: o.Password, resolver: Resolver{Hosts: o.Hosts}}
	p.forward = &http.Transport{
		DialContext:        func(ctx context.Context, _, addr string) (net.Conn, error) { return p.resolver.dial(ctx, addr) },
		DisableCompression: true,
		Proxy:              nil,
	}
	ln := listen(t)
	p.Addr = ln.Addr().String()
	p.URL = "http://" + p.Addr
	var l net.Listener = countingListener{Listener: ln, s: &p.Stats}
	if o.TLS != nil {
		l = tls.NewListener(l, o.TLS)
		p.URL = "https://" + p.Addr
	}
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: discardLog}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		p.forward.CloseIdleConnections()
		p.closeAll()
	})
	return p
}

func (p *HTTP) authorized(r *http.Request) bool {
	if p.user == "" {
		return true
	}
	v, ok := strings.CutPrefix(r.Header.Get("Proxy-Authorization"), "Basic ")
	if !ok {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && string(b) == p.user+":"+p.password
}

func (p *HTTP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.authorized(r) {
		p.AuthFailures.Add(1)
		w.Header().Set("Proxy-Authenticate", `Basic realm="testproxy"`)
		http.Error(w, "proxy credentials required", http.StatusProxyAuthRequired)
		return
	}
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	if r.URL.Host == "" || r.URL.Scheme != "http" {
		http.Error(w, "not a proxy request (absolute URI expected)", http.StatusBadRequest)
		return
	}
	p.record(Target{Addr: hostPort(r.URL.Host, "80"), Domain: isName(r.URL.Hostname()), Via: "forward"})
	p.forwardRequest(w, r)
}

// hopHeaders are not forwarded (RFC 9110 section 7.6.1).
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authorization",
	"Proxy-Authenticate", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

func (p *HTTP) forwardRequest(w http.ResponseWriter, r *http.Request) {
	out := r.Clone(r.Context())
	out.RequestURI = ""
	for _, h := range hopHeaders {
		out.Header.Del(h)
	}
	resp, err := p.forward.RoundTrip(out)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for _, h := range hopHeaders {
		resp.Header.Del(h)
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (p *HTTP) tunnel(w http.ResponseWriter, r *http.Request) {
	addr := r.Host
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		http.Error(w, "CONNECT needs host:port", http.StatusBadRequest)
		return
	}
	p.record(Target{Addr: addr, Domain: isName(host), Via: "connect"})
	target, err := p.resolver.dial(r.Context(), addr)
	if err != nil {
		http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
		return
	}
	client, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		target.Close()
		return
	}
	p.track(target)
	defer p.untrack(target)
	client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	// Bytes the client sent right after the CONNECT request.
	if n := buf.Reader.Buffered(); n > 0 {
		b, _ := buf.Reader.Peek(n)
		target.Write(b)
	}
	pipe(client, target)
}

func hostPort(host, port string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}

func isName(host string) bool { return net.ParseIP(host) == nil }
