package server

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// knownBadPorts is a sample of the Fetch standard's blocked ports, enough
// for an oracle that does not copy the engine's table.
var knownBadPorts = map[uint16]bool{0: true, 21: true, 22: true, 25: true, 110: true, 143: true, 587: true, 6000: true, 6667: true, 10080: true}

// FuzzValidateFetchRequest drives id and URL validation (spec B.10, B.13)
// through the real server and engine. The host is always 127.0.0.1, so
// whatever is accepted only ever connects to loopback. Oracle: an accepted
// fetch has a non-empty id of at most 1 KiB and an http(s) URL without
// credentials or a known bad port; a refused one is a 4xx TypeError that
// stored nothing; nothing is ever a 5xx.
func FuzzValidateFetchRequest(f *testing.F) {
	f.Add("ep-5", "http", "", uint16(8080), "/a")
	f.Add("", "https", "", uint16(443), "/")
	f.Add("x", "http", "user:pass", uint16(8080), "/")
	f.Add("x", "ftp", "", uint16(21), "/")
	f.Add("x", "http", "", uint16(587), "/mail")
	f.Add(strings.Repeat("i", 1025), "http", "", uint16(80), "/")
	f.Add("ünï/cødé id", "HTTP", "u", uint16(65535), "/%zz?q=1#f")
	a := newAPIServer(f)
	seen := 0
	f.Fuzz(func(t *testing.T, id, scheme, user string, port uint16, path string) {
		if !utf8.ValidString(id) {
			t.Skip("JSON cannot carry this id as it is")
		}
		u := url.URL{Scheme: scheme, Host: "127.0.0.1:" + strconv.Itoa(int(port)), Path: path}
		if user != "" {
			u.User = url.User(user)
		}
		raw := u.String()
		before := len(a.manager.List())
		app := "fuzz" + strconv.Itoa(seen)
		seen++
		status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": id, "requests": []string{raw}}, model.AppHeader, app)
		switch {
		case status == 201:
			reg := decode[model.Registration](t, b)
			defer a.manager.Abort(reg.UID)
			lower := strings.ToLower(scheme)
			switch {
			case id == "" || len(id) > model.MaxIDBytes:
				t.Fatalf("id of %d bytes accepted", len(id))
			case lower != "http" && lower != "https":
				t.Fatalf("scheme %q accepted (%s)", scheme, raw)
			case user != "":
				t.Fatalf("credentials accepted: %s", raw)
			case knownBadPorts[port]:
				t.Fatalf("bad port %d accepted", port)
			case reg.ID != id:
				t.Fatalf("id not echoed: %q vs %q", reg.ID, id)
			}
		case status >= 400 && status < 500:
			if errorName(b) != model.TypeError {
				t.Fatalf("%d without TypeError: %s", status, b)
			}
			if after := len(a.manager.List()); after != before {
				t.Fatalf("refused fetch stored something (%d → %d)", before, after)
			}
		default:
			t.Fatalf("unexpected %d for id %q url %s: %s", status, id, raw, b)
		}
	})
}
