package server

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/enginetest"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// endpointTable is every route of api.md (and the API's own additions),
// with a body that is well-formed where one is needed.
var endpointTable = []struct{ method, path, body string }{
	{"GET", "/v1/status", ""},
	{"POST", "/v1/fetches", `{"id":"x","requests":"http://127.0.0.1:1/x"}`},
	{"GET", "/v1/fetches", ""},
	{"GET", "/v1/fetches/x", ""},
	{"GET", "/v1/registrations/r_1", ""},
	{"POST", "/v1/registrations/r_1/abort", ""},
	{"GET", "/v1/registrations/r_1/records", ""},
	{"GET", "/v1/registrations/r_1/match?url=http://x/", ""},
	{"GET", "/v1/registrations/r_1/records/0/body", ""},
	{"POST", "/v1/registrations/r_1/pause", ""},
	{"POST", "/v1/registrations/r_1/resume", ""},
	{"POST", "/v1/registrations/r_1/release", ""},
	{"POST", "/v1/registrations/r_1/click", ""},
	{"GET", "/v1/events", ""},
	{"PUT", "/v1/handler", `{"command":["true"]}`},
	{"GET", "/v1/handler", ""},
	{"DELETE", "/v1/handler", ""},
	{"GET", "/no/such/endpoint", ""},
}

func TestGuardRefusesEveryEndpoint(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	cases := []struct {
		name   string
		hdr    []string
		status int
		errNm  model.ErrorName
	}{
		{"no token", []string{"Authorization", ""}, 401, model.NotAllowedError},
		{"wrong token", []string{"Authorization", "Bearer " + strings.Repeat("f", 64)}, 401, model.NotAllowedError},
		{"not bearer", []string{"Authorization", "Basic " + testToken}, 401, model.NotAllowedError},
		{"origin", []string{"Origin", "https://evil.example"}, 403, model.SecurityError},
		{"null origin", []string{"Origin", "null"}, 403, model.SecurityError},
		{"rebinding host", []string{"Host", "evil.example"}, 403, model.SecurityError},
		{"rebinding host with port", []string{"Host", "evil.example:8080"}, 403, model.SecurityError},
	}
	for _, ep := range endpointTable {
		for _, c := range cases {
			t.Run(ep.method+" "+ep.path+"/"+c.name, func(t *testing.T) {
				status, body := a.call(t, ep.method, ep.path, ep.body, c.hdr...)
				if status != c.status || errorName(body) != c.errNm {
					t.Fatalf("got %d %s, want %d %s", status, body, c.status, c.errNm)
				}
			})
		}
	}
	if ids := a.manager.IDs(model.DefaultApp); len(ids) != 0 {
		t.Fatalf("a refused call stored fetches: %v", ids)
	}
	if spec, _ := a.manager.Handlers().App(model.DefaultApp); spec != nil {
		t.Fatalf("a refused call stored a handler: %+v", spec)
	}
}

func TestGuardAcceptsLoopbackHosts(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	for _, host := range []string{"localhost", "localhost:9", "127.0.0.1", "127.0.0.1:80", "[::1]:1234", "127.1.2.3"} {
		if status, body := a.call(t, "GET", "/v1/status", nil, "Host", host); status != 200 {
			t.Errorf("Host %s: %d %s", host, status, body)
		}
	}
}

func TestBadAppName(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	status, body := a.call(t, "GET", "/v1/fetches", nil, model.AppHeader, "no spaces allowed")
	if status != 400 || errorName(body) != model.TypeError {
		t.Fatalf("got %d %s", status, body)
	}
}

func TestMethodNotAllowedIsJSON(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	resp := a.do(t, "DELETE", "/v1/fetches", nil)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, POST" || errorName(b) == "" {
		t.Fatalf("got %d Allow=%q %s", resp.StatusCode, resp.Header.Get("Allow"), b)
	}
}

// TestFetchErrors covers spec B (items 9, 10, 13) and the JSON layer:
// every rejected call answers with the spec's name and stores nothing.
func TestFetchErrors(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	files := testserver.New(t)
	active := fmt.Sprintf(`{"id":"dup","requests":[%q]}`, files.URL+"/slow/dup")
	if status, body := a.call(t, "POST", "/v1/fetches", active); status != 201 {
		t.Fatalf("setup fetch: %d %s", status, body)
	}
	many := make([]string, model.MaxRequests+1)
	for i := range many {
		many[i] = `"http://127.0.0.1:9/x"`
	}
	cases := []struct {
		name, body string
		status     int
		errName    model.ErrorName
	}{
		{"bad JSON", `{"id":`, 400, model.TypeError},
		{"not JSON", `hello`, 400, model.TypeError},
		{"empty body", ``, 400, model.TypeError},
		{"two values", `{"id":"a","requests":"http://127.0.0.1:9/"} {}`, 400, model.TypeError},
		{"unknown field", `{"id":"a","requests":"http://127.0.0.1:9/","colour":"red"}`, 400, model.TypeError},
		{"unknown request field", `{"id":"a","requests":[{"url":"http://127.0.0.1:9/","verb":"GET"}]}`, 400, model.TypeError},
		{"id wrong type", `{"id":5,"requests":"http://127.0.0.1:9/"}`, 400, model.TypeError},
		{"downloadTotal wrong type", `{"id":"a","requests":"http://127.0.0.1:9/","downloadTotal":"big"}`, 400, model.TypeError},
		{"requests wrong type", `{"id":"a","requests":5}`, 400, model.TypeError},
		{"request item wrong type", `{"id":"a","requests":[true]}`, 400, model.TypeError},
		{"headers wrong type", `{"id":"a","requests":[{"url":"http://127.0.0.1:9/","headers":["x"]}]}`, 400, model.TypeError},
		{"body not base64", `{"id":"a","requests":[{"url":"http://127.0.0.1:9/","method":"POST","body":"%%%"}]}`, 400, model.TypeError},
		{"empty list", `{"id":"a","requests":[]}`, 400, model.TypeError},
		{"no requests", `{"id":"a"}`, 400, model.TypeError},
		{"empty id", `{"id":"","requests":"http://127.0.0.1:9/"}`, 400, model.TypeError},
		{"id over 1 KiB", fmt.Sprintf(`{"id":%q,"requests":"http://127.0.0.1:9/"}`, strings.Repeat("i", 1025)), 400, model.TypeError},
		{"too many requests", `{"id":"a","requests":[` + strings.Join(many, ",") + `]}`, 400, model.TypeError},
		{"ftp URL", `{"id":"a","requests":"ftp://127.0.0.1/x"}`, 400, model.TypeError},
		{"file URL", `{"id":"a","requests":["file:///etc/passwd"]}`, 400, model.TypeError},
		{"credentials", `{"id":"a","requests":"http://user:pass@127.0.0.1:9/x"}`, 400, model.TypeError},
		{"bad port 587", `{"id":"a","requests":"http://127.0.0.1:587/x"}`, 400, model.TypeError},
		{"malformed URL", `{"id":"a","requests":"http://[::1/x"}`, 400, model.TypeError},
		{"relative URL", `{"id":"a","requests":"/x"}`, 400, model.TypeError},
		{"handler not loopback", `{"id":"a","requests":"http://127.0.0.1:9/","handler":{"url":"http://evil.example/hook"}}`, 400, model.TypeError},
		{"handler both", `{"id":"a","requests":"http://127.0.0.1:9/","handler":{"url":"http://127.0.0.1:9/","command":["true"]}}`, 400, model.TypeError},
		{"handler empty", `{"id":"a","requests":"http://127.0.0.1:9/","handler":{}}`, 400, model.TypeError},
		{"duplicate active id", active, 409, model.TypeError},
		{"oversized body", `{"id":"a","title":"` + strings.Repeat("t", MaxBodyBytes) + `","requests":"http://127.0.0.1:9/"}`, 413, model.TypeError},
	}
	before := len(a.manager.List())
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := a.call(t, "POST", "/v1/fetches", c.body)
			if status != c.status || errorName(body) != c.errName {
				t.Fatalf("got %d %.300s, want %d %s", status, body, c.status, c.errName)
			}
			if n := len(a.manager.List()); n != before {
				t.Fatalf("a rejected call stored something: %d registrations, want %d", n, before)
			}
		})
	}
}

// TestFetchAcceptsEveryRequestShape: a single string, strings and objects
// mixed, base64 upload bodies (spec A.1, C.20).
func TestFetchAcceptsEveryRequestShape(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	files := testserver.New(t)
	body := fmt.Sprintf(`{"id":"shapes","requests":[%q,{"url":%q,"method":"post","headers":{"X-A":"1"},"body":"aGVsbG8="}],"title":"T","icons":[{"src":%q,"sizes":"1x1","type":"image/png"}],"downloadTotal":0}`,
		files.URL+"/file/a", files.URL+"/file/b", files.URL+"/file/icon.png")
	status, b := a.call(t, "POST", "/v1/fetches", body)
	if status != 201 {
		t.Fatalf("%d %s", status, b)
	}
	reg := decode[model.Registration](t, b)
	if reg.ID != "shapes" || reg.Title != "T" || reg.UploadTotal != 5 || !reg.RecordsAvailable || reg.Result != "" {
		t.Fatalf("registration %+v", reg)
	}
	recs, err := a.manager.Records(reg.UID)
	if err != nil || len(recs) != 2 || recs[1].Request.Method != "POST" || recs[0].Request.Method != "GET" {
		t.Fatalf("records %+v %v", recs, err)
	}
	status, b = a.call(t, "POST", "/v1/fetches", fmt.Sprintf(`{"id":"one","requests":%q}`, files.URL+"/file/one"))
	if status != 201 {
		t.Fatalf("single string: %d %s", status, b)
	}
}

// TestLifecycleThroughHTTP walks one fetch through every read endpoint
// (spec A.2, A.3, C.14, C.15, C.18, C.7).
func TestLifecycleThroughHTTP(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	files := testserver.New(t)
	status, b := a.call(t, "POST", "/v1/fetches", map[string]any{
		"id": "ep-5", "requests": []string{files.URL + "/file/ep5.mp3?x=1", files.URL + "/status/404"},
	})
	if status != 201 {
		t.Fatalf("%d %s", status, b)
	}
	reg := decode[model.Registration](t, b)
	final := enginetest.Settled(t, a.manager, reg.UID)
	if final.Result != model.ResultFailure || final.FailureReason != model.ReasonBadStatus {
		t.Fatalf("want failure/bad-status, got %+v", final)
	}

	if status, b := a.call(t, "GET", "/v1/fetches/ep-5", nil); status != 404 || strings.TrimSpace(string(b)) != "null" {
		t.Fatalf("get of a settled id: %d %s", status, b)
	}
	if status, b := a.call(t, "GET", "/v1/fetches", nil); status != 200 || len(decode[model.IDList](t, b).IDs) != 0 {
		t.Fatalf("ids: %d %s", status, b)
	}
	status, b = a.call(t, "GET", "/v1/registrations/"+reg.UID, nil)
	if status != 200 || decode[model.Registration](t, b).Result != model.ResultFailure {
		t.Fatalf("registration: %d %s", status, b)
	}
	status, b = a.call(t, "GET", "/v1/registrations/"+reg.UID+"/records", nil)
	if recs := decode[model.RecordList](t, b).Records; status != 200 || len(recs) != 2 {
		t.Fatalf("records: %d %s", status, b)
	}
	status, b = a.call(t, "GET", "/v1/registrations/"+reg.UID+"/match?ignoreSearch=true&url="+files.URL+"/file/ep5.mp3", nil)
	if rec := decode[model.RecordAnswer](t, b).Record; status != 200 || rec == nil || rec.Index != 0 {
		t.Fatalf("match ignoreSearch: %d %s", status, b)
	}
	status, b = a.call(t, "GET", "/v1/registrations/"+reg.UID+"/match?url="+files.URL+"/file/ep5.mp3", nil)
	if status != 200 || strings.TrimSpace(string(b)) != `{"record":null}` {
		t.Fatalf("match without ignoreSearch: %d %s", status, b)
	}
	if status, b := a.call(t, "GET", "/v1/registrations/"+reg.UID+"/match", nil); status != 400 {
		t.Fatalf("match without url: %d %s", status, b)
	}

	// Bodies, whole and by range; the 404's body stays readable (C.16).
	status, b = a.call(t, "GET", "/v1/registrations/"+reg.UID+"/records/0/body", nil)
	if status != 200 || string(b) != string(testserver.Body) {
		t.Fatalf("body: %d, %d bytes", status, len(b))
	}
	resp := a.do(t, "GET", "/v1/registrations/"+reg.UID+"/records/0/body", nil, "Range", "bytes=8-15")
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(b) != string(testserver.Body[8:16]) {
		t.Fatalf("range: %d %q", resp.StatusCode, b)
	}
	resp = a.do(t, "GET", "/v1/registrations/"+reg.UID+"/records/1/body", nil)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get(model.ResponseStatusHeader) != "404" || !strings.Contains(string(b), "Not Found") {
		t.Fatalf("404 body: %d %s %q", resp.StatusCode, resp.Header.Get(model.ResponseStatusHeader), b)
	}
	if status, b := a.call(t, "GET", "/v1/registrations/"+reg.UID+"/records/7/body", nil); status != 404 {
		t.Fatalf("missing index: %d %s", status, b)
	}

	// Release: records unavailable (C.7).
	status, b = a.call(t, "POST", "/v1/registrations/"+reg.UID+"/release", nil)
	if status != 200 || decode[model.Registration](t, b).RecordsAvailable {
		t.Fatalf("release: %d %s", status, b)
	}
	for _, path := range []string{"/records", "/match?url=" + files.URL + "/file/ep5.mp3", "/records/0/body"} {
		if status, b := a.call(t, "GET", "/v1/registrations/"+reg.UID+path, nil); status != 409 || errorName(b) != model.InvalidStateError {
			t.Fatalf("%s after release: %d %s", path, status, b)
		}
	}
}

func TestAbortPauseResumeClick(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	files := testserver.New(t)
	status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": "slow", "requests": files.URL + "/slow/1"})
	if status != 201 {
		t.Fatalf("%d %s", status, b)
	}
	uid := decode[model.Registration](t, b).UID
	if status, b := a.call(t, "GET", "/v1/fetches/slow", nil); status != 200 || decode[model.Registration](t, b).UID != uid {
		t.Fatalf("get active: %d %s", status, b)
	}
	if status, b := a.call(t, "POST", "/v1/registrations/"+uid+"/pause", nil); status != 200 {
		t.Fatalf("pause: %d %s", status, b)
	}
	enginetest.WaitFor(t, "paused state", 5*time.Second, func() bool {
		reg, _ := a.manager.Registration(uid)
		return reg.State == model.StatePaused
	})
	if status, b := a.call(t, "POST", "/v1/registrations/"+uid+"/resume", nil); status != 200 {
		t.Fatalf("resume: %d %s", status, b)
	}
	if status, b := a.call(t, "POST", "/v1/registrations/"+uid+"/click", nil); status != 200 {
		t.Fatalf("click: %d %s", status, b)
	}
	status, b = a.call(t, "POST", "/v1/registrations/"+uid+"/abort", nil)
	if status != 200 || !decode[model.AbortAnswer](t, b).Aborted {
		t.Fatalf("first abort: %d %s", status, b)
	}
	status, b = a.call(t, "POST", "/v1/registrations/"+uid+"/abort", nil)
	if status != 200 || decode[model.AbortAnswer](t, b).Aborted {
		t.Fatalf("second abort: %d %s", status, b)
	}
	reg := enginetest.Settled(t, a.manager, uid)
	if reg.FailureReason != model.ReasonAborted {
		t.Fatalf("after abort: %+v", reg)
	}

	// Pause needs every request to be GET (409 otherwise).
	status, b = a.call(t, "POST", "/v1/fetches", map[string]any{"id": "upload",
		"requests": []any{map[string]any{"url": files.URL + "/slow/up", "method": "POST", "body": "aGk="}}})
	if status != 201 {
		t.Fatalf("%d %s", status, b)
	}
	upUID := decode[model.Registration](t, b).UID
	if status, b := a.call(t, "POST", "/v1/registrations/"+upUID+"/pause", nil); status != 409 || errorName(b) != model.InvalidStateError {
		t.Fatalf("pause of a POST fetch: %d %s", status, b)
	}
	if status, b := a.call(t, "POST", "/v1/registrations/r_nope/abort", nil); status != 404 || errorName(b) != model.NotFoundError {
		t.Fatalf("unknown uid: %d %s", status, b)
	}
}

// TestAppScope: ids are per app and another app's registration is not found.
func TestAppScope(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	files := testserver.New(t)
	status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": "same", "requests": files.URL + "/slow/a"}, model.AppHeader, "com.example.a")
	if status != 201 {
		t.Fatalf("%d %s", status, b)
	}
	uidA := decode[model.Registration](t, b).UID
	if status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": "same", "requests": files.URL + "/slow/b"}, model.AppHeader, "com.example.b"); status != 201 {
		t.Fatalf("same id in another app: %d %s", status, b)
	}
	status, b = a.call(t, "GET", "/v1/fetches", nil, model.AppHeader, "com.example.a")
	if ids := decode[model.IDList](t, b).IDs; status != 200 || len(ids) != 1 || ids[0] != "same" {
		t.Fatalf("ids of a: %s", b)
	}
	if status, b := a.call(t, "GET", "/v1/fetches", nil); len(decode[model.IDList](t, b).IDs) != 0 {
		t.Fatalf("default app sees others' ids: %d %s", status, b)
	}
	for _, path := range []string{"", "/records", "/abort"} {
		method := "GET"
		if path == "/abort" {
			method = "POST"
		}
		if status, b := a.call(t, method, "/v1/registrations/"+uidA+path, nil, model.AppHeader, "com.example.b"); status != 404 {
			t.Fatalf("%s of another app: %d %s", path, status, b)
		}
	}
}

func TestHandlerEndpoints(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	if status, b := a.call(t, "GET", "/v1/handler", nil); status != 404 || errorName(b) != model.NotFoundError {
		t.Fatalf("no handler: %d %s", status, b)
	}
	for _, bad := range []string{`{"url":"http://192.168.1.1/x"}`, `{"url":"http://localhost.evil.example/x"}`, `{"command":[]}`, `{"command":[""]}`, `{"cmd":["x"]}`, `[]`, `{"url":"ftp://127.0.0.1/"}`} {
		if status, b := a.call(t, "PUT", "/v1/handler", bad); status != 400 || errorName(b) != model.TypeError {
			t.Fatalf("PUT %s: %d %s", bad, status, b)
		}
	}
	if status, b := a.call(t, "PUT", "/v1/handler", `{"url":"http://127.0.0.1:9/hook"}`); status != 200 {
		t.Fatalf("put: %d %s", status, b)
	}
	status, b := a.call(t, "GET", "/v1/handler", nil)
	var h model.HandlerSpec
	if json.Unmarshal(b, &h) != nil || status != 200 || h.URL != "http://127.0.0.1:9/hook" {
		t.Fatalf("get: %d %s", status, b)
	}
	if status, b := a.call(t, "DELETE", "/v1/handler", nil); status != 204 {
		t.Fatalf("delete: %d %s", status, b)
	}
	if status, _ := a.call(t, "GET", "/v1/handler", nil); status != 404 {
		t.Fatalf("after delete: %d", status)
	}
}
