package downloads

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
	"github.com/bgfetch/bgfetch/persistence"
)

// Issue 14 (the engine's part): input fetch() must refuse, uploads that
// cost memory for as long as their fetch is active, and a failed move to
// a destination that said nothing about why.

// An id with a NUL byte broke the handler's environment (retried for
// ever); invalid UTF-8 made two ids one.
func TestIDsWithNULOrInvalidUTF8AreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, id := range []string{"nul\x00id", "utf\xff8", "\xed\xa0\x80"} {
		_, err := e.m.Fetch("test", model.FetchRequest{ID: id, Requests: model.GetRequests("http://127.0.0.1:8081/x")})
		if model.NameOf(err) != model.TypeError || !strings.Contains(err.Error(), "id") {
			t.Errorf("id %q: err = %v, want a TypeError about the id", id, err)
		}
	}
	if ids := e.m.IDs("test"); len(ids) != 0 {
		t.Fatalf("refused ids were registered: %q", ids)
	}
}

// A command handler that cannot be started is refused when it is given,
// not retried without end afterwards; so is an argument with a NUL byte.
func TestHandlerThatCannotRunIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	plain := filepath.Join(t.TempDir(), "not-a-program")
	os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o644)
	bad := []model.HandlerSpec{
		{Command: []string{"/nonexistent/bgfetch-handler"}},
		{Command: []string{"bgfetch-no-such-program-on-path"}},
		{Command: []string{"/bin/echo", "a\x00b"}},
		{Command: []string{plain}}, // not executable
	}
	for _, h := range bad {
		if err := e.m.Handlers().SetApp("test", &h); model.NameOf(err) != model.TypeError {
			t.Errorf("PUT handler %q: err = %v, want TypeError", h.Command, err)
		}
		_, err := e.m.Fetch("test", model.FetchRequest{ID: "h", Requests: model.GetRequests("http://127.0.0.1:8081/x"), Handler: &h})
		if model.NameOf(err) != model.TypeError {
			t.Errorf("fetch with handler %q: err = %v, want TypeError", h.Command, err)
		}
	}
	ok := model.HandlerSpec{Command: []string{"sh", "-c", "exit 0"}}
	if err := e.m.Handlers().SetApp("test", &ok); err != nil {
		t.Fatalf("a program on PATH: %v", err)
	}
}

// What the store cannot hold is refused as fetch()'s TypeError, never
// stored half or answered 500: an upload over MaxUploadBytes, a URL or
// headers over their limits.
func TestInputOverTheStoreLimitsIsATypeError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	long := "http://127.0.0.1:8081/" + strings.Repeat("a", model.MaxURLBytes)
	cases := map[string]model.Request{
		"upload":  {URL: "http://127.0.0.1:8081/up", Method: "POST", Body: make([]byte, model.MaxUploadBytes+1)},
		"url":     {URL: long},
		"headers": {URL: "http://127.0.0.1:8081/x", Headers: map[string]string{"X-A": strings.Repeat("a", 40<<10), "X-B": strings.Repeat("b", 40<<10)}},
	}
	for what, r := range cases {
		_, err := e.m.Fetch("test", model.FetchRequest{ID: what, Requests: model.Requests{r}})
		if model.NameOf(err) != model.TypeError {
			t.Errorf("%s: err = %v, want TypeError", what, err)
		}
	}
	_, err := e.m.Fetch("test", model.FetchRequest{ID: "icon", Requests: model.GetRequests("http://127.0.0.1:8081/x"), Icons: []model.Icon{{Src: long}}})
	if model.NameOf(err) != model.TypeError {
		t.Errorf("icon: err = %v, want TypeError", err)
	}
	// Credentials in a URL are named without the password.
	_, err = e.m.Fetch("test", model.FetchRequest{ID: "cred", Requests: model.GetRequests("http://u:s3cret-PW@127.0.0.1:8081/x")})
	if model.NameOf(err) != model.TypeError || strings.Contains(err.Error(), "s3cret-PW") {
		t.Errorf("credentials: err = %v, want a TypeError without the password", err)
	}
}

// Upload bodies are stored as files and streamed from there: the record
// document and the fetch in memory hold no copy, the upload arrives whole,
// after a restart too, and its file goes with the registration.
func TestUploadsAreStoredOnceAndNotKeptInMemory(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	got := map[string][]byte{}
	hold := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got[r.URL.Path] = b
		mu.Unlock()
		if r.URL.Path == "/held" {
			<-hold
		}
	}))
	defer srv.Close()
	var release sync.Once
	defer release.Do(func() { close(hold) })
	e := newEnv(t)
	up := randomBytes(3 << 20)
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "up", Requests: model.Requests{
		{URL: srv.URL + "/a", Method: "POST", Body: up},
		{URL: srv.URL + "/held", Method: "PUT", Body: []byte("second")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if reg.UploadTotal != int64(len(up))+6 {
		t.Fatalf("uploadTotal = %d", reg.UploadTotal)
	}
	e.m.mu.Lock()
	for _, r := range e.m.fetches[reg.UID].recs {
		if r.Request.Body != nil {
			t.Errorf("record %d keeps its upload body in memory", r.Index)
		}
	}
	e.m.mu.Unlock()
	var docs [][]byte
	e.store.View(func(tx *persistence.Tx) error { docs, _ = tx.Records(reg.UID); return nil })
	for i, d := range docs {
		if len(d) > 4096 {
			t.Errorf("record %d's document is %d bytes: it holds the body", i, len(d))
		}
	}
	waitFor(t, "the first upload", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return bytes.Equal(got["/a"], up)
	})
	// The second waits on the server; after a restart it is sent again,
	// from the store.
	waitFor(t, "the second upload", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return got["/held"] != nil
	})
	mu.Lock()
	delete(got, "/held")
	mu.Unlock()
	e.restart()
	waitFor(t, "the second upload after a restart", 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return string(got["/held"]) == "second"
	})
	release.Do(func() { close(hold) })
	e.waitSettled(reg.UID, 10*time.Second)
	if err := e.m.Release(reg.UID); err != nil {
		t.Fatal(err)
	}
	up0 := filepath.Join(e.dir, "uploads", reg.UID, "0")
	if st, err := os.Stat(up0); err != nil || st.Size() != int64(len(up)) {
		t.Fatalf("upload file: %v", err)
	}
	if err := e.m.Forget(reg.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(up0)); !os.IsNotExist(err) {
		t.Fatalf("the uploads of a forgotten registration are left: %v", err)
	}
}

// A destination that cannot be used fails the fetch with the reason in
// the records' error (it was a bare fetch-error with an empty error).
func TestFailedMoveSaysWhy(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	e := newEnv(t)
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o644)
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "d", Requests: model.GetRequests(srv.URL + "/file/a"), Destination: filepath.Join(file, "sub")})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.waitSettled(reg.UID, 10*time.Second); got.FailureReason != model.ReasonFetchError {
		t.Fatalf("settled = %+v", got)
	}
	check := func(when string) {
		recs, err := e.m.Records(reg.UID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(recs[0].Error, "not a directory") {
			t.Fatalf("%s: record error = %q, want the reason", when, recs[0].Error)
		}
	}
	check("settled")
	e.restart()
	check("after a restart")
	var stored storedRecord
	e.store.View(func(tx *persistence.Tx) error {
		docs, _ := tx.Records(reg.UID)
		return json.Unmarshal(docs[0], &stored)
	})
	if stored.Error == "" {
		t.Fatal("the reason is not stored")
	}
}

// A retried fetch sends its upload again, read back from the old fetch's
// upload file (bodies are not kept in memory).
func TestRetrySendsTheUploadAgain(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		first := len(bodies) == 1
		mu.Unlock()
		if first {
			http.Error(w, "no", http.StatusForbidden)
		}
	}))
	defer srv.Close()
	e := newEnv(t)
	up := randomBytes(200 << 10)
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "retry-up", Requests: model.Requests{{URL: srv.URL + "/u", Method: "POST", Body: up}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.waitSettled(reg.UID, 10*time.Second); got.Result != model.ResultFailure {
		t.Fatalf("first attempt: %+v", got)
	}
	again, err := e.m.Retry(reg.UID)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.waitSettled(again.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("retry: %+v", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 || !bytes.Equal(bodies[1], up) {
		t.Fatalf("the retry sent %d bodies, the last of %d bytes", len(bodies), len(bodies[len(bodies)-1]))
	}
}
