package downloads

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// Spec C.14, C.15: a fresh registration echoes its id; one GET answered
// 200 succeeds and the record holds the status and the exact body.
func TestFetchSuccess(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(300 << 10)
	u := srv.Put("/ep5.mp3", body)

	sub := e.m.Subscribe("")
	defer sub.Close()
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "ep-5", Requests: model.Requests{{URL: u}}, Title: "Episode 5", DownloadTotal: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if reg.ID != "ep-5" || reg.Title != "Episode 5" || reg.Result != "" || reg.FailureReason != "" ||
		!reg.RecordsAvailable || reg.Uploaded != 0 || reg.UploadTotal != 0 || reg.DownloadTotal != 1<<20 {
		t.Fatalf("fresh registration = %+v", reg)
	}
	select {
	case ev := <-sub.C:
		if ev.Type != model.EventState || ev.Registration.UID != reg.UID {
			t.Fatalf("first event = %s for %s, want a state event for the new fetch", ev.Type, ev.Registration.UID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no event announced the new fetch")
	}
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess || got.Downloaded != int64(len(body)) || got.State != model.StateSettled {
		t.Fatalf("settled = %+v", got)
	}
	recs, _ := e.m.MatchAll(reg.UID, model.MatchQuery{})
	if len(recs) != 1 || recs[0].Response.Status != 200 || recs[0].State != model.RecordSuccess {
		t.Fatalf("records = %+v", recs)
	}
	if !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatal("stored body differs from the served one")
	}
	// Spec A.6: the final progress event comes before exactly one success event.
	var types []model.EventType
	timeout := time.After(5 * time.Second)
	for len(types) == 0 || types[len(types)-1] != model.EventSuccess {
		select {
		case ev := <-sub.C:
			if ev.Type != model.EventState {
				types = append(types, ev.Type)
			}
		case <-timeout:
			t.Fatalf("no success event; got %v", types)
		}
	}
	if len(types) < 2 || types[len(types)-2] != model.EventProgress {
		t.Fatalf("events = %v, want a last progress before success", types)
	}
	if _, ok := e.m.Get("test", "ep-5"); ok {
		t.Fatal("Get returned a settled registration (spec A.2)")
	}
	if ids := e.m.IDs("test"); len(ids) != 0 {
		t.Fatalf("IDs after settle = %v", ids)
	}
}

// Spec C.16: a 404 fails with bad-status and its body stays readable.
func TestFetch404IsBadStatus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	reg := e.fetch("missing", srv.URL+"/nope")
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultFailure || got.FailureReason != model.ReasonBadStatus {
		t.Fatalf("settled = %+v", got)
	}
	recs, _ := e.m.MatchAll(reg.UID, model.MatchQuery{})
	if recs[0].Response == nil || recs[0].Response.Status != 404 {
		t.Fatalf("record = %+v", recs[0])
	}
	if b := e.body(reg.UID, 0); !strings.Contains(string(b), "no such file") {
		t.Fatalf("404 body = %q", b)
	}
}

// Spec B.9, B.10, B.13: bad input is a TypeError and stores nothing.
func TestFetchValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ok := "http://127.0.0.1:8080/x"
	cases := []struct {
		name string
		id   string
		reqs model.Requests
		opts model.FetchRequest
		want model.ErrorName
	}{
		{"empty list", "a", nil, model.FetchRequest{}, model.TypeError},
		{"empty id", "", []model.Request{{URL: ok}}, model.FetchRequest{}, model.TypeError},
		{"long id", strings.Repeat("x", 1025), []model.Request{{URL: ok}}, model.FetchRequest{}, model.TypeError},
		{"credentials", "a", []model.Request{{URL: "http://u:p@127.0.0.1/x"}}, model.FetchRequest{}, model.TypeError},
		{"ftp", "a", []model.Request{{URL: "ftp://127.0.0.1/x"}}, model.FetchRequest{}, model.TypeError},
		{"file", "a", []model.Request{{URL: "file:///etc/passwd"}}, model.FetchRequest{}, model.TypeError},
		{"bad port", "a", []model.Request{{URL: "http://127.0.0.1:587/x"}}, model.FetchRequest{}, model.TypeError},
		{"port out of range", "a", []model.Request{{URL: "http://127.0.0.1:70000/x"}}, model.FetchRequest{}, model.TypeError},
		{"malformed", "a", []model.Request{{URL: "http://[::1/x"}}, model.FetchRequest{}, model.TypeError},
		{"relative", "a", []model.Request{{URL: "/x"}}, model.FetchRequest{}, model.TypeError},
		{"GET with body", "a", []model.Request{{URL: ok, Body: []byte("x")}}, model.FetchRequest{}, model.TypeError},
		{"TRACE", "a", []model.Request{{URL: ok, Method: "TRACE"}}, model.FetchRequest{}, model.TypeError},
		{"Range header", "a", []model.Request{{URL: ok, Headers: map[string]string{"range": "bytes=0-"}}}, model.FetchRequest{}, model.TypeError},
		{"header injection", "a", []model.Request{{URL: ok, Headers: map[string]string{"X-A": "a\r\nb: c"}}}, model.FetchRequest{}, model.TypeError},
		{"bad integrity", "a", []model.Request{{URL: ok, Integrity: "md5-xyz"}}, model.FetchRequest{}, model.TypeError},
		{"negative total", "a", []model.Request{{URL: ok}}, model.FetchRequest{DownloadTotal: -1}, model.TypeError},
		{"relative destination", "a", []model.Request{{URL: ok}}, model.FetchRequest{Destination: "rel/dir"}, model.TypeError},
		{"bad icon", "a", []model.Request{{URL: ok}}, model.FetchRequest{Icons: []model.Icon{{Src: "javascript:alert(1)"}}}, model.TypeError},
		{"too many requests", "a", make(model.Requests, model.MaxRequests+1), model.FetchRequest{}, model.TypeError},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.ID, c.opts.Requests = c.id, c.reqs
			_, err := e.m.Fetch("test", c.opts)
			if model.NameOf(err) != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
		})
	}
	if _, err := e.m.Fetch("bad app!", model.FetchRequest{ID: "a", Requests: model.Requests{{URL: ok}}}); model.NameOf(err) != model.TypeError {
		t.Fatalf("bad app name: %v", err)
	}
	if ids := e.m.IDs("test"); len(ids) != 0 {
		t.Fatalf("rejected calls stored %v", ids)
	}
	e.restart()
	if n := len(e.m.List()); n != 0 {
		t.Fatalf("%d registrations stored by rejected calls", n)
	}
}

// Spec B.9: of many concurrent registrations of one id exactly one wins;
// B.11: duplicate URLs inside one fetch are allowed.
func TestDuplicateIDRace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	srv.Throttle(50 * time.Millisecond)
	u := srv.Put("/f", randomBytes(1<<20))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, dups := 0, 0
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.m.Fetch("test", model.FetchRequest{ID: "same", Requests: model.Requests{{URL: u}, {URL: u}}})
			mu.Lock()
			defer mu.Unlock()
			var be *model.Error
			switch {
			case err == nil:
				wins++
			case errors.As(err, &be) && be.Duplicate:
				dups++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || dups != 31 {
		t.Fatalf("wins=%d dups=%d", wins, dups)
	}
	reg, ok := e.m.Get("test", "same")
	if !ok {
		t.Fatal("winner not found")
	}
	recs, _ := e.m.Records(reg.UID)
	if len(recs) != 2 || recs[0].Request.URL != recs[1].Request.URL {
		t.Fatalf("records = %+v", recs)
	}
	// The same id in another app is independent.
	if _, err := e.m.Fetch("other", model.FetchRequest{ID: "same", Requests: model.Requests{{URL: u}}}); err != nil {
		t.Fatal(err)
	}
}

// Spec C.20: uploads set uploadTotal and uploaded.
func TestUpload(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		b.ReadFrom(r.Body)
		got = b.Bytes()
		fmt.Fprintf(w, "stored %d", b.Len())
	}))
	defer srv.Close()
	payload := randomBytes(100 << 10)
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "up", Requests: model.Requests{{URL: srv.URL + "/up", Method: "post", Body: payload}}})
	if err != nil {
		t.Fatal(err)
	}
	if reg.UploadTotal != int64(len(payload)) || reg.AllGET {
		t.Fatalf("registration = %+v", reg)
	}
	done := e.waitSettled(reg.UID, 10*time.Second)
	if done.Result != model.ResultSuccess || done.Uploaded != int64(len(payload)) {
		t.Fatalf("settled = %+v", done)
	}
	if !bytes.Equal(got, payload) {
		t.Fatal("server received a different body")
	}
	if err := e.m.Pause(reg.UID); model.NameOf(err) != model.InvalidStateError {
		t.Fatalf("pause of a settled upload = %v", err)
	}
}

// Spec C.18: match and matchAll follow Cache API matching.
func TestMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	a := srv.Put("/a", []byte("a"))
	b := srv.Put("/b", []byte("b"))
	reg := e.fetch("m", a+"?v=1", b, a+"?v=2")
	e.waitSettled(reg.UID, 10*time.Second)
	count := func(q model.MatchQuery) int {
		recs, err := e.m.MatchAll(reg.UID, q)
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	if n := count(model.MatchQuery{}); n != 3 {
		t.Fatalf("matchAll() = %d", n)
	}
	if n := count(model.MatchQuery{URL: a + "?v=1"}); n != 1 {
		t.Fatalf("exact = %d", n)
	}
	if n := count(model.MatchQuery{URL: a, IgnoreSearch: true}); n != 2 {
		t.Fatalf("ignoreSearch = %d", n)
	}
	if n := count(model.MatchQuery{URL: b, Method: "POST"}); n != 0 {
		t.Fatalf("POST without ignoreMethod = %d", n)
	}
	if n := count(model.MatchQuery{URL: b, Method: "POST", IgnoreMethod: true}); n != 1 {
		t.Fatalf("ignoreMethod = %d", n)
	}
	if r, err := e.m.Match(reg.UID, model.MatchQuery{URL: srv.URL + "/zzz"}); r != nil || err != nil {
		t.Fatalf("no match = %v, %v", r, err)
	}
	// Spec C.7: after release, records are unavailable.
	if err := e.m.Release(reg.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.MatchAll(reg.UID, model.MatchQuery{}); model.NameOf(err) != model.InvalidStateError {
		t.Fatalf("matchAll after release = %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "bodies", reg.UID)); !os.IsNotExist(err) {
		t.Fatalf("bodies not deleted: %v", err)
	}
}

// Spec A.8: progress events only when a count changed; none after the
// settling one.
func TestProgressOnlyOnChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	srv.Throttle(15 * time.Millisecond)
	u := srv.Put("/p", randomBytes(512<<10))
	reg := e.fetch("p", u)
	sub := e.m.Subscribe(reg.UID)
	defer sub.Close()
	var last int64 = -1
	settled := false
	timeout := time.After(15 * time.Second)
	for !settled {
		select {
		case ev := <-sub.C:
			switch ev.Type {
			case model.EventProgress:
				if ev.Registration.Result == "" && ev.Registration.Downloaded == last {
					t.Fatalf("progress event without a change at %d", last)
				}
				last = ev.Registration.Downloaded
			case model.EventSuccess:
				settled = true
			}
		case <-timeout:
			t.Fatal("did not settle")
		}
	}
	select {
	case ev := <-sub.C:
		if ev.Type == model.EventProgress {
			t.Fatalf("progress after settle: %+v", ev.Registration)
		}
	case <-time.After(100 * time.Millisecond):
	}
}

// Integrity: a matching digest succeeds; a mismatch fails the record with
// fetch-error and removes the bad body.
func TestIntegrity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(64 << 10)
	u := srv.Put("/i", body)
	sum := sha256.Sum256(body)
	good := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	bad := "sha256-" + base64.StdEncoding.EncodeToString(make([]byte, 32))

	r1, err := e.m.Fetch("test", model.FetchRequest{ID: "good", Requests: model.Requests{{URL: u, Integrity: good}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.waitSettled(r1.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("good digest: %+v", got)
	}
	r2, err := e.m.Fetch("test", model.FetchRequest{ID: "bad", Requests: model.Requests{{URL: u, Integrity: bad}}})
	if err != nil {
		t.Fatal(err)
	}
	got := e.waitSettled(r2.UID, 10*time.Second)
	if got.Result != model.ResultFailure || got.FailureReason != model.ReasonFetchError {
		t.Fatalf("bad digest: %+v", got)
	}
	recs, _ := e.m.Records(r2.UID)
	if !strings.Contains(recs[0].Error, "integrity") {
		t.Fatalf("record error = %q", recs[0].Error)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "bodies", r2.UID, "0")); !os.IsNotExist(err) {
		t.Fatal("the bad body was kept")
	}
}

// downloadTotal exceeded fails the whole fetch at once.
func TestDownloadTotalExceeded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	srv.Throttle(20 * time.Millisecond)
	big := srv.Put("/big", randomBytes(4<<20))
	slow := srv.Put("/slow", randomBytes(4<<20))
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "dt", Requests: model.Requests{{URL: slow}, {URL: big}}, DownloadTotal: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	got := e.waitSettled(reg.UID, 5*time.Second)
	if got.FailureReason != model.ReasonDownloadTotalExceeded {
		t.Fatalf("settled = %+v", got)
	}
}

// Spec B.12: downloadTotal larger than the free quota is refused and
// nothing is stored.
func TestQuotaAtRegistration(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.QuotaBytes = 10 << 20 })
	_, err := e.m.Fetch("test", model.FetchRequest{ID: "q", Requests: model.Requests{{URL: "http://127.0.0.1:8080/x"}}, DownloadTotal: 11 << 20})
	if model.NameOf(err) != model.QuotaExceededError {
		t.Fatalf("err = %v", err)
	}
	_, err = e.m.Fetch("test", model.FetchRequest{ID: "q2", Requests: model.Requests{{URL: "http://127.0.0.1:8080/x"}}, DownloadTotal: 1 << 62})
	if model.NameOf(err) != model.QuotaExceededError {
		t.Fatalf("larger than the disk: %v", err)
	}
	e.restart()
	if n := len(e.m.List()); n != 0 {
		t.Fatalf("stored %d registrations", n)
	}
}

// History loaded from the store keeps its records as stored documents
// (cold), and every view of them is what it was before the restart:
// the registration, Records, MatchAll, the click event's records, Retry.
func TestHistoryRecordsAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	a, b := srv.Put("/a", randomBytes(3000)), srv.Put("/b", randomBytes(5000))
	missing := srv.URL + "/status/404"
	ok := e.fetch("ok", a, b)
	bad := e.fetch("bad", a, missing)
	e.waitSettled(ok.UID, 10*time.Second)
	e.waitSettled(bad.UID, 10*time.Second)
	type view struct {
		reg   model.Registration
		recs  []model.Record
		match []model.Record
	}
	look := func(uid string) view {
		reg, err := e.m.Registration(uid)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := e.m.Records(uid)
		if err != nil {
			t.Fatal(err)
		}
		match, err := e.m.MatchAll(uid, model.MatchQuery{URL: a})
		if err != nil {
			t.Fatal(err)
		}
		return view{reg, recs, match}
	}
	before := map[string]view{ok.UID: look(ok.UID), bad.UID: look(bad.UID)}
	e.restart()
	for uid, want := range before {
		e.m.mu.Lock()
		f := e.m.fetches[uid]
		cold := f.recs == nil && f.cold
		e.m.mu.Unlock()
		if !cold {
			t.Fatalf("%s: records decoded in memory after the restart", uid)
		}
		if got := look(uid); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s after the restart:\n%+v\nbefore:\n%+v", uid, got, want)
		}
	}
	sub := e.m.Subscribe(ok.UID)
	defer sub.Close()
	if err := e.m.Click(ok.UID); err != nil {
		t.Fatal(err)
	}
	for ev := range sub.C {
		if ev.Type == model.EventClick {
			if !reflect.DeepEqual(ev.Records, before[ok.UID].recs) {
				t.Fatalf("click records %+v, want %+v", ev.Records, before[ok.UID].recs)
			}
			break
		}
	}
	again, err := e.m.Retry(bad.UID)
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := e.m.Records(again.UID)
	if len(recs) != 2 || recs[0].Request.URL != a || recs[1].Request.URL != missing {
		t.Fatalf("retried requests %+v", recs)
	}
}
