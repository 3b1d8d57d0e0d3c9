package e2eapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestEveryEndpoint walks every row of api.md's endpoint table, on the
// Unix socket and on loopback TCP.
func TestEveryEndpoint(t *testing.T) {
	t.Parallel()
	for _, listen := range []string{"", "tcp:127.0.0.1:0"} {
		name := map[string]string{"": "unix", "tcp:127.0.0.1:0": "tcp"}[listen]
		t.Run(name, func(t *testing.T) {
			if listen == "" {
				skipOnWindows(t, "the default endpoint there is loopback TCP, not a Unix socket (the tcp case covers every endpoint)")
			}
			d := startDaemon(t, "", listen)
			f := testserver.New(t)
			if listen == "" && !strings.HasPrefix(d.endpoint, "unix:/") {
				t.Fatalf("default endpoint %q", d.endpoint)
			}
			if listen != "" && !strings.HasPrefix(d.endpoint, "http://127.0.0.1:") {
				t.Fatalf("tcp endpoint %q", d.endpoint)
			}

			// POST /v1/fetches → 201 + registration.
			slow := d.fetch(t, map[string]any{"id": "slow", "requests": f.URL + "/slow/1", "title": "Slow one"})
			if slow.ID != "slow" || slow.Title != "Slow one" || slow.Result != "" || !slow.RecordsAvailable {
				t.Fatalf("fresh registration %+v", slow)
			}
			// GET /v1/fetches → ids of active fetches.
			if status, b := d.call(t, "GET", "/v1/fetches", nil); status != 200 || strings.TrimSpace(string(b)) != `{"ids":["slow"]}` {
				t.Fatalf("ids: %d %s", status, b)
			}
			// GET /v1/fetches/{id} → 200 while active, 404 otherwise.
			if status, b := d.call(t, "GET", "/v1/fetches/slow", nil); status != 200 || mustDecode[registration](t, b).UID != slow.UID {
				t.Fatalf("get: %d %s", status, b)
			}
			if status, _ := d.call(t, "GET", "/v1/fetches/none", nil); status != 404 {
				t.Fatalf("get none: %d", status)
			}
			// pause / resume (all GET → 200).
			for _, action := range []string{"pause", "resume"} {
				if status, b := d.call(t, "POST", "/v1/registrations/"+slow.UID+"/"+action, nil); status != 200 {
					t.Fatalf("%s: %d %s", action, status, b)
				}
			}
			// match during an active fetch works (C.19).
			if status, b := d.call(t, "GET", "/v1/registrations/"+slow.UID+"/match?url="+url.QueryEscape(f.URL+"/slow/1"), nil); status != 200 || !strings.Contains(string(b), `"index":0`) {
				t.Fatalf("match active: %d %s", status, b)
			}
			// abort → {"aborted": true}, then false.
			if status, b := d.call(t, "POST", "/v1/registrations/"+slow.UID+"/abort", nil); status != 200 || strings.TrimSpace(string(b)) != `{"aborted":true}` {
				t.Fatalf("abort: %d %s", status, b)
			}
			if status, b := d.call(t, "POST", "/v1/registrations/"+slow.UID+"/abort", nil); status != 200 || strings.TrimSpace(string(b)) != `{"aborted":false}` {
				t.Fatalf("abort again: %d %s", status, b)
			}
			if reg := d.waitReg(t, slow.UID, "abort", settled); reg.FailureReason != "aborted" {
				t.Fatalf("aborted fetch: %+v", reg)
			}

			ok := d.fetch(t, map[string]any{"id": "ok", "requests": []string{f.URL + "/file/a.mp3?v=1", f.URL + "/status/404"}})
			final := d.waitReg(t, ok.UID, "settle", settled)
			if final.Result != "failure" || final.FailureReason != "bad-status" {
				t.Fatalf("settled: %+v", final)
			}
			// GET /v1/registrations/{uid} keeps answering after settling.
			if status, _ := d.call(t, "GET", "/v1/registrations/"+ok.UID, nil); status != 200 {
				t.Fatalf("registration: %d", status)
			}
			// records (matchAll) with its query options.
			if status, b := d.call(t, "GET", "/v1/registrations/"+ok.UID+"/records", nil); status != 200 || strings.Count(string(b), `"index"`) != 2 {
				t.Fatalf("records: %d %s", status, b)
			}
			q := "?ignoreSearch=true&url=" + url.QueryEscape(f.URL+"/file/a.mp3")
			if status, b := d.call(t, "GET", "/v1/registrations/"+ok.UID+"/records"+q, nil); status != 200 || strings.Count(string(b), `"index"`) != 1 {
				t.Fatalf("records ignoreSearch: %d %s", status, b)
			}
			q = "?ignoreMethod=true&method=POST&url=" + url.QueryEscape(f.URL+"/status/404")
			if status, b := d.call(t, "GET", "/v1/registrations/"+ok.UID+"/records"+q, nil); status != 200 || strings.Count(string(b), `"index"`) != 1 {
				t.Fatalf("records ignoreMethod: %d %s", status, b)
			}
			// match → record or null.
			if status, b := d.call(t, "GET", "/v1/registrations/"+ok.UID+"/match?url="+url.QueryEscape(f.URL+"/nothing"), nil); status != 200 || strings.TrimSpace(string(b)) != `{"record":null}` {
				t.Fatalf("match null: %d %s", status, b)
			}
			// body, whole and ranged.
			if status, b := d.call(t, "GET", "/v1/registrations/"+ok.UID+"/records/0/body", nil); status != 200 || string(b) != string(testserver.Body) {
				t.Fatalf("body: %d (%d bytes)", status, len(b))
			}
			if status, b := d.call(t, "GET", "/v1/registrations/"+ok.UID+"/records/0/body", nil, "Range", "bytes=11-16"); status != 206 || string(b) != string(testserver.Body[11:17]) {
				t.Fatalf("range: %d %q", status, b)
			}
			// click fires backgroundfetchclick.
			events := d.openEvents(t, "?uid="+ok.UID, "0")
			if status, _ := d.call(t, "POST", "/v1/registrations/"+ok.UID+"/click", nil); status != 200 {
				t.Fatalf("click: %d", status)
			}
			if e := events.nextDurable(t); e.ev.Type != "backgroundfetchfail" {
				t.Fatalf("first event %s", e.ev.Type)
			}
			if e := events.nextDurable(t); e.ev.Type != "backgroundfetchclick" {
				t.Fatalf("second event %s", e.ev.Type)
			}
			// release → records unavailable, bodies gone from the data dir.
			if status, b := d.call(t, "POST", "/v1/registrations/"+ok.UID+"/release", nil); status != 200 || mustDecode[registration](t, b).RecordsAvailable {
				t.Fatalf("release: %d %s", status, b)
			}
			if status, b := d.call(t, "GET", "/v1/registrations/"+ok.UID+"/records", nil); status != 409 || errName(b) != "InvalidStateError" {
				t.Fatalf("records after release: %d %s", status, b)
			}
			if _, err := os.Stat(filepath.Join(d.dir, "bodies", ok.UID)); !os.IsNotExist(err) && !d.wineCannotRemoveAll() {
				t.Fatalf("bodies left after release: %v", err)
			}
			// pause of a fetch with a POST → 409.
			up := d.fetch(t, map[string]any{"id": "up", "requests": []any{map[string]any{"url": f.URL + "/slow/up", "method": "POST", "body": "aGVsbG8="}}})
			if status, b := d.call(t, "POST", "/v1/registrations/"+up.UID+"/pause", nil); status != 409 || errName(b) != "InvalidStateError" {
				t.Fatalf("pause POST: %d %s", status, b)
			}
			// PUT/GET/DELETE /v1/handler.
			// A program that exists where the daemon runs (PUT refuses one
			// that does not; /bin/true is not there under Wine).
			cmd := handlerCommand()
			if status, b := d.call(t, "PUT", "/v1/handler", map[string]any{"command": cmd}); status != 200 {
				t.Fatalf("put handler: %d %s", status, b)
			}
			want, _ := json.Marshal(cmd[0])
			if status, b := d.call(t, "GET", "/v1/handler", nil); status != 200 || !strings.Contains(string(b), string(want)) {
				t.Fatalf("get handler: %d %s", status, b)
			}
			if status, _ := d.call(t, "DELETE", "/v1/handler", nil); status != 204 {
				t.Fatalf("delete handler: %d", status)
			}
		})
	}
}

// TestSecurity: without the token, with a wrong one, with an Origin
// header, with Host: evil.example, every endpoint refuses; the socket and
// the token are mode 0600 (on Unix).
func TestSecurity(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	if !onWindows() {
		// Windows has no file modes or Unix socket here: the token's
		// ACL is checked by api/datadir's Windows test, run under Wine.
		for _, name := range []string{"token", "endpoint"} {
			if st, err := os.Stat(filepath.Join(d.dir, name)); err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("%s mode %v %v", name, st.Mode().Perm(), err)
			}
		}
		sock := strings.TrimPrefix(d.endpoint, "unix:")
		if st, err := os.Stat(sock); err != nil || st.Mode().Perm() != 0o600 || st.Mode()&os.ModeSocket == 0 {
			t.Fatalf("socket %s mode %v %v", sock, st.Mode(), err)
		}
	} else if !strings.HasPrefix(d.endpoint, "http://127.0.0.1:") {
		t.Fatalf("default endpoint on Windows %q, want loopback TCP", d.endpoint)
	}
	endpoints := [][2]string{
		{"POST", "/v1/fetches"}, {"GET", "/v1/fetches"}, {"GET", "/v1/fetches/x"}, {"GET", "/v1/registrations/r_x"},
		{"POST", "/v1/registrations/r_x/abort"}, {"GET", "/v1/registrations/r_x/records"}, {"GET", "/v1/registrations/r_x/match?url=x"},
		{"GET", "/v1/registrations/r_x/records/0/body"}, {"POST", "/v1/registrations/r_x/pause"}, {"POST", "/v1/registrations/r_x/resume"},
		{"POST", "/v1/registrations/r_x/release"}, {"POST", "/v1/registrations/r_x/click"}, {"GET", "/v1/events"},
		{"PUT", "/v1/handler"}, {"GET", "/v1/handler"}, {"DELETE", "/v1/handler"}, {"GET", "/v1/status"},
	}
	refusals := []struct {
		name   string
		hdr    []string
		status int
	}{
		{"no token", []string{"Authorization", ""}, 401},
		{"wrong token", []string{"Authorization", "Bearer " + strings.Repeat("0", 64)}, 401},
		{"Origin", []string{"Origin", "https://evil.example"}, 403},
		{"Host evil.example", []string{"Host", "evil.example"}, 403},
	}
	body := `{"id":"sneaky","requests":"http://127.0.0.1:9/x"}`
	for _, ep := range endpoints {
		for _, r := range refusals {
			status, b := d.call(t, ep[0], ep[1], body, r.hdr...)
			if status != r.status {
				t.Errorf("%s %s with %s: %d %s, want %d", ep[0], ep[1], r.name, status, b, r.status)
			}
		}
	}
	if status, b := d.call(t, "GET", "/v1/fetches", nil); status != 200 || strings.TrimSpace(string(b)) != `{"ids":[]}` {
		t.Fatalf("a refused call stored a fetch: %s", b)
	}
}

// TestFetchErrors: every malformed or forbidden fetch gets a 4xx with the
// spec's name and stores nothing (spec B.9, B.10, B.13).
func TestFetchErrors(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "tcp:127.0.0.1:0")
	f := testserver.New(t)
	d.fetch(t, map[string]any{"id": "dup", "requests": f.URL + "/slow/d"})
	many := strings.TrimSuffix(strings.Repeat(`"http://127.0.0.1:9/x",`, 10001), ",")
	cases := []struct {
		name, body string
		status     int
	}{
		{"bad JSON", `{"id": "a", "requests": [`, 400},
		{"unknown field", `{"id":"a","requests":"http://127.0.0.1:9/x","priority":1}`, 400},
		{"wrong type", `{"id":["a"],"requests":"http://127.0.0.1:9/x"}`, 400},
		{"wrong request type", `{"id":"a","requests":[42]}`, 400},
		{"oversized body", `{"id":"a","requests":"http://127.0.0.1:9/x","title":"` + strings.Repeat("x", 65<<20) + `"}`, 413},
		{"id over 1 KiB", fmt.Sprintf(`{"id":%q,"requests":"http://127.0.0.1:9/x"}`, strings.Repeat("a", 1025)), 400},
		{"over 10,000 requests", `{"id":"a","requests":[` + many + `]}`, 400},
		{"empty list", `{"id":"a","requests":[]}`, 400},
		{"non-http scheme", `{"id":"a","requests":"ftp://127.0.0.1/x"}`, 400},
		{"javascript scheme", `{"id":"a","requests":"javascript:alert(1)"}`, 400},
		{"credentials", `{"id":"a","requests":"http://me:secret@127.0.0.1:9/x"}`, 400},
		{"bad port 587", `{"id":"a","requests":"http://127.0.0.1:587/x"}`, 400},
		{"webhook not loopback", `{"id":"a","requests":"http://127.0.0.1:9/x","handler":{"url":"http://10.0.0.1/h"}}`, 400},
		{"duplicate active id", fmt.Sprintf(`{"id":"dup","requests":%q}`, f.URL+"/file/x"), 409},
	}
	for _, c := range cases {
		status, b := d.call(t, "POST", "/v1/fetches", c.body)
		if status != c.status || errName(b) != "TypeError" {
			t.Errorf("%s: %d %.200s, want %d TypeError", c.name, status, b, c.status)
		}
	}
	if status, b := d.call(t, "GET", "/v1/fetches", nil); status != 200 || strings.TrimSpace(string(b)) != `{"ids":["dup"]}` {
		t.Fatalf("after rejected calls: %s", b)
	}
}
