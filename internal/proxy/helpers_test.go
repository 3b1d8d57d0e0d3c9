package proxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/testproxy"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// origin is a real file server (internal/testserver) with one random
// body, reachable as origin.test only through a proxy (or a test's own
// hosts map), and over TLS too.
type origin struct {
	srv  *testserver.Server
	body []byte
	port string
	tls  *httptest.Server // the same files over https, certificate for origin.test
	pool *x509.CertPool
}

func newOrigin(t *testing.T) *origin {
	t.Helper()
	o := &origin{srv: testserver.New(t), body: make([]byte, 3<<20+12345)}
	rand.Read(o.body)
	o.srv.Put("/f", o.body)
	_, o.port, _ = net.SplitHostPort(o.srv.Listener.Addr().String())
	cfg, pool := testproxy.Cert(t, "origin.test", "localhost", "127.0.0.1")
	o.tls = httptest.NewUnstartedServer(o.srv.Config.Handler)
	o.tls.TLS = cfg
	o.tls.StartTLS()
	t.Cleanup(o.tls.Close)
	o.pool = pool
	return o
}

// url is the file's http URL on host (origin.test, localhost, 127.0.0.1…).
func (o *origin) url(host string) string { return "http://" + net.JoinHostPort(host, o.port) + "/f" }

func (o *origin) tlsURL(host string) string {
	_, port, _ := net.SplitHostPort(o.tls.Listener.Addr().String())
	return "https://" + net.JoinHostPort(host, port) + "/f"
}

// hosts maps test names to loopback inside the proxies.
var hosts = map[string]string{"origin.test": "127.0.0.1", "bypass.test": "127.0.0.1"}

// hostsDial is a dialer that resolves the test names itself (the test's
// /etc/hosts), for connections that do not go through a proxy.
func hostsDial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip, ok := hosts[host]; ok {
		addr = net.JoinHostPort(ip, port)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// client is a real http.Client whose transport Configure set up for
// setting; prepare adjusts the transport first.
func client(t *testing.T, setting string, prepare func(*http.Transport)) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableCompression: true}
	if prepare != nil {
		prepare(tr)
	}
	if err := Configure(tr, setting, testLog(t)); err != nil {
		t.Fatalf("Configure(%q): %v", Redact(setting), err)
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func trust(pool *x509.CertPool) func(*http.Transport) {
	return func(tr *http.Transport) { tr.TLSClientConfig = &tls.Config{RootCAs: pool} }
}

// get downloads url: the body and the status, or the error.
func get(c *http.Client, url string) ([]byte, int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, resp.StatusCode, err
}

// mustDownload fails the test unless url downloads byte-exact.
func mustDownload(t *testing.T, c *http.Client, url string, want []byte) {
	t.Helper()
	b, status, err := get(c, url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if status != http.StatusOK || !bytes.Equal(b, want) {
		t.Fatalf("GET %s: status %d, %d bytes (want 200 and %d exact bytes)", url, status, len(b), len(want))
	}
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// isolate gives the test an empty desktop and environment: no proxy
// variables, a fresh HOME and XDG_CONFIG_HOME, and gsettings on its
// keyfile backend there (a real gsettings with the real
// org.gnome.system.proxy schema, writing to a file of the test).
func isolate(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	for _, k := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy",
		"ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "REQUEST_METHOD", "XDG_CURRENT_DESKTOP", "KDE_FULL_SESSION"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GSETTINGS_BACKEND", "keyfile")
	return home
}

// gset runs `gsettings set org.gnome.system.proxy[.SUB] KEY VALUE`.
func gset(t *testing.T, sub, key, value string) {
	t.Helper()
	if _, err := exec.LookPath("gsettings"); err != nil {
		t.Fatal("gsettings is missing: scripts/install-deps.sh proxy (libglib2.0-bin, gsettings-desktop-schemas)")
	}
	schema := gnomeSchema
	if sub != "" {
		schema += "." + sub
	}
	out, err := exec.Command("gsettings", "set", schema, key, value).CombinedOutput()
	if err != nil {
		t.Fatalf("gsettings set %s %s %s: %v: %s", schema, key, value, err, out)
	}
}

// writeKioslaverc writes $XDG_CONFIG_HOME/kioslaverc.
func writeKioslaverc(t *testing.T, text string) {
	t.Helper()
	p := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "kioslaverc")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
