package e2eapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// Issue 14 through the real daemon: no secret in its log, and the API's
// connections never take the file descriptors its checkpoints need.

// withFileLimit runs the daemon with at most n file descriptors.
func withFileLimit(n int) func(*exec.Cmd) {
	return func(c *exec.Cmd) {
		c.Args = append([]string{"/bin/sh", "-c", fmt.Sprintf(`ulimit -n %d && exec "$0" "$@"`, n)}, c.Args...)
		c.Path = "/bin/sh"
	}
}

// hexDumpLine is one line of a hex dump, whose bytes unhexdump decodes:
// a secret split across dump lines is found too.
var hexDumpLine = regexp.MustCompile(`[0-9a-f]{8}  ((?:[0-9a-f]{2} ){1,8})(?: ((?:[0-9a-f]{2} ?){1,8}))?`)

func unhexdump(text string) string {
	var b strings.Builder
	for _, m := range hexDumpLine.FindAllStringSubmatch(text, -1) {
		for _, h := range strings.Fields(m[1] + " " + m[2]) {
			if v, err := hex.DecodeString(h); err == nil {
				b.Write(v)
			}
		}
	}
	return b.String()
}

// TestDaemonLogHoldsNoSecret: a run of the daemon with --verbose that sees
// a bearer token, a cookie and a proxy authorization in fetch headers, an
// upload larger than a store value (which logged the record hex-dumped,
// token and all), proxy credentials in its environment, a URL and a
// webhook with credentials, a handler that prints an Authorization header
// on stderr and a wrong API token. Neither any of them nor the API token
// is anywhere in the whole log, nor in an error answer.
func TestDaemonLogHoldsNoSecret(t *testing.T) {
	t.Parallel()
	const bearer, cookie, proxyPW, urlPW = "e2e-SECRET-bearer-1", "e2e-SECRET-cookie-2", "e2e-SECRET-proxy-3", "e2e-SECRET-url-4"
	proxy := "http://user:" + proxyPW + "@127.0.0.1:1"
	d := startDaemonCmd(t, "", "tcp:127.0.0.1:0", func(c *exec.Cmd) {
		c.Env = append(os.Environ(), "HTTPS_PROXY="+proxy, "HTTP_PROXY="+proxy)
	}, "--verbose", "--handler-timeout", "2s")
	sink := sinkServer(t)
	headers := map[string]string{"Authorization": "Bearer " + bearer, "Cookie": "session=" + cookie, "Proxy-Authorization": "Basic " + bearer}
	var answers []string
	keep := func(status int, b []byte) {
		if status >= 400 {
			answers = append(answers, string(b))
		}
	}
	// Through the proxy (refused): interrupted transfers are logged.
	reg := d.fetch(t, map[string]any{"id": "proxied", "requests": []any{map[string]any{"url": "https://bgfetch-e2e.invalid/f", "headers": headers}}})
	// An upload of 20 MiB: more than one store value holds.
	up := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("u"), 20<<20))
	status, b := d.call(t, "POST", "/v1/fetches", `{"id":"big-upload","requests":[{"url":"`+sink+`","method":"POST","headers":{"Authorization":"Bearer `+bearer+`","Cookie":"session=`+cookie+`"},"body":"`+up+`"}]}`)
	keep(status, b)
	// Credentials in URLs, a wrong token, a handler that talks.
	keep(d.call(t, "POST", "/v1/fetches", map[string]any{"id": "cred", "requests": "http://user:" + urlPW + "@127.0.0.1:8081/x"}))
	keep(d.call(t, "PUT", "/v1/handler", map[string]any{"url": "http://user:" + urlPW + "@127.0.0.1:8081/hook"}))
	keep(d.call(t, "GET", "/v1/status", nil, "Authorization", "Bearer "+bearer))
	if !onWindows() { // a handler that prints the header on stderr (/bin/sh)
		talk := d.fetch(t, map[string]any{"id": "talk", "requests": sink + "?t",
			"handler": map[string]any{"command": []string{"/bin/sh", "-c", "echo 'Authorization: Bearer " + bearer + "' >&2; exit 3"}}})
		d.waitReg(t, talk.UID, "the talking fetch to settle", settled)
	}
	// Last: the proxy setting with a password sends every transfer to it.
	keep(d.call(t, "PATCH", "/v1/settings", map[string]any{"proxy": proxy}))
	time.Sleep(2 * time.Second) // the proxied fetch retries; the handler fails and is retried
	d.call(t, "POST", "/v1/registrations/"+reg.UID+"/abort", nil)
	d.stop(t)

	log := d.logText()
	if !strings.Contains(log, "bgfetch is ready") || !strings.Contains(log, "level=DEBUG") {
		t.Fatalf("not the log of a --verbose run:\n%.2000s", log)
	}
	full := log + "\n" + unhexdump(log)
	for _, secret := range []string{bearer, cookie, proxyPW, urlPW, d.token} {
		if strings.Contains(full, secret) {
			i := strings.Index(full, secret)
			t.Errorf("%q is in the daemon's log: …%s…", secret, full[max(0, i-200):min(len(full), i+100)])
		}
		for _, a := range answers {
			if strings.Contains(a+unhexdump(a), secret) {
				t.Errorf("%q is in an error answer: %.300s", secret, a)
			}
		}
	}
}

// sinkServer is a sink on loopback that reads and forgets what it is sent.
func sinkServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) })}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + l.Addr().String() + "/sink"
}

// TestAPIBudgetLeavesTheEngineItsFiles: with 1,024 file descriptors, 1,500
// unauthenticated connections that send nothing (opened again when the
// daemon closes them) took every descriptor, and checkpoints failed with
// EMFILE. Now the API holds at most its share: a fetch that runs
// throughout checkpoints and finishes byte-exact, a token client is
// answered all along, and nothing is lost across a restart.
func TestAPIBudgetLeavesTheEngineItsFiles(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("connection flood")
	}
	skipOnWindows(t, "a Unix process's file descriptor limit (ulimit -n)")
	var rl syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl)
	attackers := min(1500, int(rl.Cur)-300)
	if attackers < 1100 {
		t.Skipf("this test's own file limit (%d) is too low to open more connections than the daemon's 1,024", rl.Cur)
	}
	dir := t.TempDir()
	d := startDaemonCmd(t, dir, "tcp:127.0.0.1:0", withFileLimit(1024))
	srv := testserver.New(t)
	size := int64(4 << 20) // 8 s at 512 KiB/s: the flood outlasts the 5 s the kernel defers idle connections
	url := srv.PutFile("/budget.bin", testserver.File{Body: testserver.Pattern(size), ETag: `"budget"`, Rate: 512 << 10})
	reg := d.fetch(t, map[string]any{"id": "budget", "requests": url})

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	addr := strings.TrimPrefix(d.base, "http://")
	var closedByDaemon atomic.Int64
	for range attackers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", addr)
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				stop := context.AfterFunc(ctx, func() { c.Close() })
				c.Read(make([]byte, 1))
				stop()
				c.Close()
				closedByDaemon.Add(1)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
	// A token client, on a new connection each time, throughout.
	failed := 0
	for deadline := time.Now().Add(7 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Second}
		req := d.request(t, "GET", "/v1/status", nil)
		resp, err := hc.Do(req)
		if err != nil || resp.StatusCode != 200 {
			failed++
			continue
		}
		resp.Body.Close()
	}
	final := d.waitReg(t, reg.UID, "the fetch to finish during the flood", settled)
	cancel()
	wg.Wait()
	if failed > 0 {
		t.Errorf("%d token calls failed during the flood", failed)
	}
	if final.Result != "success" {
		t.Fatalf("the fetch ended %s/%s during the flood:\n%s", final.Result, final.FailureReason, tail(d.logText(), 20))
	}
	status, body := d.call(t, "GET", "/v1/registrations/"+reg.UID+"/records/0/body", nil)
	if want := sha256.Sum256(testserver.Pattern(size)); status != 200 || sha256.Sum256(body) != want {
		t.Fatalf("body: %d, %d bytes, not the served ones", status, len(body))
	}
	if log := d.logText(); strings.Contains(log, "msg=checkpoint") || strings.Contains(log, "too many open files") {
		t.Fatalf("checkpoints failed:\n%s", tail(log, 20))
	}
	if closedByDaemon.Load() == 0 {
		t.Fatal("the daemon closed no idle connection: the flood did not reach its caps")
	}
	d.stop(t)
	again := startDaemon(t, dir, "tcp:127.0.0.1:0")
	if st, _ := again.call(t, "GET", "/v1/registrations/"+reg.UID, nil); st != 200 {
		t.Fatalf("the registration is lost after a restart: %d", st)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
