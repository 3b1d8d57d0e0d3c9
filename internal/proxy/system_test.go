package proxy

import (
	"bytes"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testproxy"
)

// These tests change the process environment (t.Setenv): not parallel.

func proxies(t *testing.T) (*testproxy.HTTP, *testproxy.SOCKS5) {
	p := testproxy.NewHTTP(t, testproxy.HTTPOptions{User: "alice", Password: "s3cret", Hosts: hosts})
	s := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{User: "sam", Password: "pw", Hosts: hosts})
	return p, s
}

// HTTP_PROXY / HTTPS_PROXY / NO_PROXY, upper and lower case: a name in
// NO_PROXY and loopback addresses connect directly.
func TestSystemEnvironment(t *testing.T) {
	isolate(t)
	o := newOrigin(t)
	p, _ := proxies(t)
	t.Setenv("HTTP_PROXY", "http://alice:s3cret@"+p.Addr)
	t.Setenv("https_proxy", "http://alice:s3cret@"+p.Addr)
	t.Setenv("no_proxy", "bypass.test")
	prep := func(tr *http.Transport) { tr.DialContext = hostsDial; trust(o.pool)(tr) }
	c := client(t, System, prep)
	mustDownload(t, c, o.url("origin.test"), o.body)
	mustDownload(t, c, o.tlsURL("origin.test"), o.body)
	if got := p.Targets(); len(got) != 2 || got[0].Via != "forward" || got[1].Via != "connect" {
		t.Fatalf("targets %+v, want a forward and a CONNECT", got)
	}
	mustDownload(t, c, o.url("bypass.test"), o.body)
	mustDownload(t, c, o.url("127.0.0.1"), o.body)
	mustDownload(t, c, o.url("localhost"), o.body)
	if n := len(p.Targets()); n != 2 {
		t.Fatalf("NO_PROXY or loopback went through the proxy: %+v", p.Targets())
	}
	if sys := ReadSystem(nil); sys.Source != "environment" || sys.NoProxy != "bypass.test" {
		t.Fatalf("ReadSystem = %+v", sys)
	}
}

// ALL_PROXY covers the schemes without their own variable.
func TestSystemAllProxy(t *testing.T) {
	isolate(t)
	o := newOrigin(t)
	_, s := proxies(t)
	t.Setenv("ALL_PROXY", "socks5h://sam:pw@"+s.Addr)
	mustDownload(t, client(t, System, trust(o.pool)), o.tlsURL("origin.test"), o.body)
	if got := s.Targets(); len(got) != 1 || !got[0].Domain {
		t.Fatalf("targets %+v, want origin.test by name", got)
	}
}

// No variable and no desktop setting: direct.
func TestSystemNothingConfigured(t *testing.T) {
	isolate(t)
	if sys := ReadSystem(nil); sys.Source != "" || sys.HTTPProxy != "" || sys.HTTPSProxy != "" {
		t.Fatalf("ReadSystem = %+v, want nothing", sys)
	}
	o := newOrigin(t)
	mustDownload(t, client(t, System, func(tr *http.Transport) { tr.DialContext = hostsDial }), o.url("origin.test"), o.body)
}

// GNOME manual mode through the real gsettings and schema: the http
// proxy with its credentials, ignore-hosts as exceptions.
func TestGNOMEManual(t *testing.T) {
	isolate(t)
	o := newOrigin(t)
	p, _ := proxies(t)
	_, port := splitAddr(p.Addr)
	gset(t, "", "mode", "'manual'")
	gset(t, "http", "host", "'127.0.0.1'")
	gset(t, "http", "port", port)
	gset(t, "http", "use-authentication", "true")
	gset(t, "http", "authentication-user", "'alice'")
	gset(t, "http", "authentication-password", "'s3cret'")
	gset(t, "", "ignore-hosts", "['bypass.test', '*.local.test', '10.0.0.0/8']")
	sys := ReadSystem(testLog(t))
	want := "http://alice:s3cret@" + p.Addr
	if sys.Source != "gnome" || sys.HTTPProxy != want || sys.HTTPSProxy != "" || sys.NoProxy != "bypass.test,.local.test,10.0.0.0/8" {
		t.Fatalf("ReadSystem = %+v", sys)
	}
	c := client(t, System, func(tr *http.Transport) { tr.DialContext = hostsDial })
	mustDownload(t, c, o.url("origin.test"), o.body)
	mustDownload(t, c, o.url("bypass.test"), o.body)
	if got := p.Targets(); len(got) != 1 || got[0].Addr != "origin.test:"+o.port {
		t.Fatalf("targets %+v, want origin.test only", got)
	}
	// Without the credentials the proxy refuses: they came from gsettings.
	gset(t, "http", "use-authentication", "false")
	if _, status, _ := get(client(t, System, nil), o.url("origin.test")); status != http.StatusProxyAuthRequired {
		t.Fatalf("status %d without GNOME's credentials, want 407", status)
	}
}

// GNOME's https and socks proxies: https URLs use the https host; with
// only a SOCKS host, everything goes through SOCKS.
func TestGNOMEHTTPSAndSOCKS(t *testing.T) {
	isolate(t)
	o := newOrigin(t)
	_, s := proxies(t)
	open := testproxy.NewHTTP(t, testproxy.HTTPOptions{Hosts: hosts})
	openSocks := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{Hosts: hosts})
	_ = s
	gset(t, "", "mode", "'manual'")
	gset(t, "https", "host", "'127.0.0.1'")
	gset(t, "https", "port", mustPort(open.Addr))
	sys := ReadSystem(nil)
	if sys.HTTPSProxy != "http://"+open.Addr || sys.HTTPProxy != "" {
		t.Fatalf("https only: %+v", sys)
	}
	mustDownload(t, client(t, System, trust(o.pool)), o.tlsURL("origin.test"), o.body)
	gset(t, "https", "host", "''")
	gset(t, "socks", "host", "'127.0.0.1'")
	gset(t, "socks", "port", mustPort(openSocks.Addr))
	sys = ReadSystem(nil)
	if want := "socks5://" + openSocks.Addr; sys.HTTPProxy != want || sys.HTTPSProxy != want {
		t.Fatalf("socks only: %+v", sys)
	}
	mustDownload(t, client(t, System, nil), o.url("origin.test"), o.body)
	if len(open.Targets()) != 1 || len(openSocks.Targets()) != 1 {
		t.Fatalf("targets: https proxy %+v, socks %+v", open.Targets(), openSocks.Targets())
	}
}

// GNOME's automatic mode (PAC) is not evaluated: a log line, direct.
func TestGNOMEAutoIsLoggedAndDirect(t *testing.T) {
	isolate(t)
	gset(t, "", "mode", "'auto'")
	gset(t, "", "autoconfig-url", "'http://wpad.example/proxy.pac'")
	gset(t, "http", "host", "'127.0.0.1'")
	gset(t, "http", "port", "3128")
	var buf bytes.Buffer
	sys := ReadSystem(slog.New(slog.NewTextHandler(&buf, nil)))
	if sys.Source != "" || sys.HTTPProxy != "" {
		t.Fatalf("auto mode gave %+v, want direct", sys)
	}
	if !strings.Contains(buf.String(), "PAC") || !strings.Contains(buf.String(), "proxy.pac") {
		t.Fatalf("no log line about PAC: %q", buf.String())
	}
}

// The environment wins over the desktop; NO_PROXY alone adds to the
// desktop's exceptions.
func TestEnvironmentWinsOverDesktop(t *testing.T) {
	isolate(t)
	o := newOrigin(t)
	p, _ := proxies(t)
	other := testproxy.NewHTTP(t, testproxy.HTTPOptions{Hosts: hosts})
	gset(t, "", "mode", "'manual'")
	gset(t, "http", "host", "'127.0.0.1'")
	gset(t, "http", "port", mustPort(other.Addr))
	t.Setenv("NO_PROXY", "bypass.test")
	if sys := ReadSystem(nil); sys.Source != "gnome" || !strings.Contains(sys.NoProxy, "bypass.test") {
		t.Fatalf("NO_PROXY alone: %+v", sys)
	}
	t.Setenv("http_proxy", "http://alice:s3cret@"+p.Addr)
	mustDownload(t, client(t, System, nil), o.url("origin.test"), o.body)
	if len(p.Targets()) != 1 || len(other.Targets()) != 0 {
		t.Fatalf("environment proxy %+v, GNOME proxy %+v", p.Targets(), other.Targets())
	}
}

// KDE's kioslaverc (real file in a temp HOME): manual proxies in KDE's
// "host port" form, socks:// as SOCKS5, NoProxyFor; on a KDE desktop it
// is read before GNOME's settings.
func TestKDEManual(t *testing.T) {
	isolate(t)
	t.Setenv("XDG_CURRENT_DESKTOP", "KDE")
	o := newOrigin(t)
	p, s := proxies(t)
	gset(t, "", "mode", "'manual'") // GNOME says something else: KDE wins here
	gset(t, "http", "host", "'192.0.2.1'")
	gset(t, "http", "port", "9")
	writeKioslaverc(t, "[Other]\nProxyType=0\n\n[Proxy Settings]\nAuthMode=0\nProxyType=1\n"+
		"httpProxy=http://alice:s3cret@127.0.0.1 "+mustPort(p.Addr)+"\n"+
		"httpsProxy=\nsocksProxy[$e]=socks://sam:pw@127.0.0.1:"+mustPort(s.Addr)+"\n"+
		"NoProxyFor=bypass.test,*.local.test\nReversedException=false\n")
	sys := ReadSystem(nil)
	if sys.Source != "kde" || sys.HTTPProxy != "http://alice:s3cret@"+p.Addr ||
		sys.HTTPSProxy != "socks5://sam:pw@"+s.Addr || sys.NoProxy != "bypass.test,.local.test" {
		t.Fatalf("ReadSystem = %+v", sys)
	}
	c := client(t, System, func(tr *http.Transport) { tr.DialContext = hostsDial; trust(o.pool)(tr) })
	mustDownload(t, c, o.url("origin.test"), o.body)
	mustDownload(t, c, o.tlsURL("origin.test"), o.body)
	mustDownload(t, c, o.url("bypass.test"), o.body)
	if len(p.Targets()) != 1 || len(s.Targets()) != 1 {
		t.Fatalf("targets: http %+v, socks %+v", p.Targets(), s.Targets())
	}
}

// KDE's other proxy types: none, PAC/WPAD (logged, direct), environment
// variables named in the file, reversed exceptions (logged, direct).
func TestKDEProxyTypes(t *testing.T) {
	isolate(t)
	t.Setenv("XDG_CURRENT_DESKTOP", "ubuntu:KDE")
	check := func(file, wantHTTP, wantLog string) {
		t.Helper()
		writeKioslaverc(t, "[Proxy Settings]\n"+file)
		var buf bytes.Buffer
		sys := ReadSystem(slog.New(slog.NewTextHandler(&buf, nil)))
		if sys.HTTPProxy != wantHTTP || !strings.Contains(buf.String(), wantLog) {
			t.Fatalf("%q: %+v, log %q", file, sys, buf.String())
		}
	}
	check("ProxyType=0\nhttpProxy=http://p:1\n", "", "")
	check("ProxyType=2\nProxy Config Script=http://wpad/x.pac\n", "", "PAC")
	check("ProxyType=3\n", "", "PAC")
	t.Setenv("MY_PROXY", "http://from-env:8080")
	check("ProxyType=4\nhttpProxy=MY_PROXY\nNoProxyFor=MY_NO_PROXY\n", "http://from-env:8080", "")
	check("ProxyType=1\nhttpProxy=http://p 3128\nReversedException=true\n", "", "reversed")
	check("ProxyType=1\nhttpProxy=p:3128\n", "http://p:3128", "")
}

func TestGVariantValues(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`'a b'`: "a b", `'it\'s'`: "it's", `"it's"`: "it's", `''`: "", `'\u00e9'`: "é"} {
		if got, err := gvString(in); err != nil || got != want {
			t.Errorf("gvString(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, want := range map[string]string{"@as []": "", "['localhost', '127.0.0.0/8', '::1']": "localhost|127.0.0.0/8|::1", `['a,b', "c'd"]`: "a,b|c'd"} {
		got, err := gvStrings(in)
		if err != nil || strings.Join(got, "|") != want {
			t.Errorf("gvStrings(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := gvString("'unterminated"); err == nil {
		t.Error("an unterminated string parsed")
	}
}

func splitAddr(addr string) (string, string) {
	i := strings.LastIndex(addr, ":")
	return addr[:i], addr[i+1:]
}

func mustPort(addr string) string { _, p := splitAddr(addr); return p }

// Outside a desktop session, with dconf as the backend and no database
// of settings, reading the system proxy writes nothing into HOME (running
// gsettings there used to leave ~/.cache/dconf/user behind, which the
// package test's uninstall check found).
func TestSystemWithoutDconfWritesNothing(t *testing.T) {
	home := isolate(t)
	t.Setenv("GSETTINGS_BACKEND", "")
	t.Setenv("XDG_RUNTIME_DIR", "")
	if sys := ReadSystem(testLog(t)); sys.Source != "" || sys.HTTPProxy != "" {
		t.Fatalf("ReadSystem = %+v, want nothing", sys)
	}
	var left []string
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Fatalf("reading the system proxy wrote %v", left)
	}
}
