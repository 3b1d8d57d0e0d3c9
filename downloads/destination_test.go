package downloads

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
	"github.com/bgfetch/bgfetch/persistence"
)

func TestSafeFileName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ep5.mp3":                "ep5.mp3",
		"../../etc/passwd":       "passwd",
		"/abs/path/x.bin":        "x.bin",
		`..\..\win.ini`:          "win.ini",
		"..":                     "",
		".hidden":                "hidden",
		"a\x00b\nc":              "a_b_c",
		`what?<>|:*".txt`:        "what_______.txt",
		"":                       "",
		strings.Repeat("é", 300): strings.Repeat("é", 100),
		// Windows' device names, with any extension or case.
		"nul":           "_nul",
		"NUL.txt":       "_NUL.txt",
		"con":           "_con",
		"prn.tar.gz":    "_prn.tar.gz",
		"Aux":           "_Aux",
		"com1":          "_com1",
		"COM9.log":      "_COM9.log",
		"lpt0":          "_lpt0",
		"LPT¹.txt":      "_LPT¹.txt",
		"conin$":        "_conin$",
		"nul .txt":      "_nul .txt",
		"/x/con.":       "_con",
		"trailing dot.": "trailing dot",
		"space ":        "space",
		"console.txt":   "console.txt",
		"com10":         "com10",
		"nullable":      "nullable",
		"lpt.txt":       "lpt.txt",
		"my-con.txt":    "my-con.txt",
	} {
		if got := SafeFileName(in); got != want {
			t.Errorf("SafeFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// Bodies move to the destination under safe names derived from the URL
// or Content-Disposition, never outside it, without following a symlink
// planted there, and without overwriting what is there.
func TestDestinationIsSafe(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	dest := t.TempDir()
	victim := filepath.Join(outside, "victim")
	os.WriteFile(victim, []byte("precious"), 0o644)
	// A planted symlink with the name the first body would take.
	os.Symlink(victim, filepath.Join(dest, "ep.mp3"))
	// An existing file with the second body's name.
	os.WriteFile(filepath.Join(dest, "art.jpg"), []byte("mine"), 0o644)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/evil":
			w.Header().Set("Content-Disposition", `attachment; filename="../../escape.sh"`)
		case "/abs":
			w.Header().Set("Content-Disposition", `attachment; filename="/etc/cron.d/x"`)
		}
		w.Write([]byte("body of " + r.URL.Path))
	}))
	defer srv.Close()
	e := newEnv(t)
	reqs := []model.Request{{URL: srv.URL + "/ep.mp3"}, {URL: srv.URL + "/art.jpg"}, {URL: srv.URL + "/evil"}, {URL: srv.URL + "/abs"}, {URL: srv.URL + "/%2e%2e%2fup"}}
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "dest", Requests: reqs, Destination: dest})
	if err != nil {
		t.Fatal(err)
	}
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != model.ResultSuccess {
		t.Fatalf("settled = %+v", got)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Fatalf("the symlink target was overwritten: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dest, "art.jpg")); string(b) != "mine" {
		t.Fatal("an existing file was overwritten")
	}
	recs, _ := e.m.Records(reg.UID)
	for _, r := range recs {
		p := r.Response.Path
		if filepath.Dir(p) != dest {
			t.Fatalf("record %d was written to %s, outside %s", r.Index, p, dest)
		}
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("body of ")) {
			t.Fatalf("record %d body at %s: %q %v", r.Index, p, b, err)
		}
	}
	names := []string{}
	for _, r := range recs {
		names = append(names, filepath.Base(r.Response.Path))
	}
	want := []string{"ep (1).mp3", "art (1).jpg", "escape.sh", "x", "up"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Fatalf("names = %q, want %q", names, want)
	}
	// Files moved to the destination belong to the user: release keeps them.
	e.m.Release(reg.UID)
	if _, err := os.Stat(recs[0].Response.Path); err != nil {
		t.Fatalf("release deleted a moved file: %v", err)
	}
}

// A full disk fails the record with quota-exceeded, leaves the store
// intact, and other fetches complete once space is freed. The disk is
// "full" once less than the store's reserve is left (checkRoom): 64 MiB
// with 40 MiB kept.
func TestDiskFull(t *testing.T) {
	t.Parallel()
	mnt := mountTmpfs(t, "64m")
	srv := testserver.New(t)
	big := srv.Put("/big", randomBytes(32<<20))
	small := srv.Put("/small", randomBytes(100<<10))
	e := &testEnv{t: t, dir: mnt, cfg: fastConfig()}
	e.start()
	defer e.stop()
	reg := e.fetch("big", big)
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.FailureReason != model.ReasonQuotaExceeded {
		t.Fatalf("settled = %+v", got)
	}
	if err := e.m.Release(reg.UID); err != nil { // frees the space
		t.Fatal(err)
	}
	reg2 := e.fetch("small", small)
	if got := e.waitSettled(reg2.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("after freeing space: %+v", got)
	}
	e.restart()
	if n := len(e.m.List()); n != 2 {
		t.Fatalf("store lost registrations after the disk filled: %d", n)
	}
}

// A crash after the last record was stored but before the fetch settled —
// even halfway through moving bodies to the destination — is settled on
// the next start, exactly once, with every body in the destination.
func TestSettleAfterCrashMidMove(t *testing.T) {
	t.Parallel()
	dest := t.TempDir()
	srv := testserver.New(t)
	a, b := randomBytes(10<<10), randomBytes(20<<10)
	ua, ub := srv.Put("/a.bin", a), srv.Put("/b.bin", b)
	e := newEnv(t)
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "crash-settle", Requests: model.Requests{{URL: ua}, {URL: ub}}, Destination: dest})
	if err != nil {
		t.Fatal(err)
	}
	e.waitSettled(reg.UID, 10*time.Second)
	recs, _ := e.m.Records(reg.UID)
	e.stop()

	// Rewind the store to the crash: the registration active, record 0's
	// body back in the data dir (not moved yet), record 1 already moved
	// under its claimed name.
	st, err := persistence.Open(e.dir, persistence.Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	src0 := filepath.Join(e.dir, "bodies", reg.UID, "0")
	if err := os.Rename(recs[0].Response.Path, src0); err != nil {
		t.Fatal(err)
	}
	err = st.Update(func(tx *persistence.Tx) error {
		doc, err := tx.Registration(reg.UID)
		if err != nil {
			return err
		}
		var sr storedRegistration
		json.Unmarshal(doc, &sr)
		sr.Result, sr.FailureReason, sr.SettledAt = model.ResultPending, model.ReasonNone, nil
		doc, _ = json.Marshal(sr)
		if err := tx.PutRegistration(reg.UID, doc); err != nil {
			return err
		}
		docs, _ := tx.Records(reg.UID)
		var r0 storedRecord
		json.Unmarshal(docs[0], &r0)
		r0.Response.Path = src0
		doc, _ = json.Marshal(r0)
		return tx.PutRecord(reg.UID, 0, doc)
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	e.start()
	got := e.waitSettled(reg.UID, 5*time.Second)
	if got.Result != model.ResultSuccess {
		t.Fatalf("after the crash: %+v", got)
	}
	recs2, _ := e.m.Records(reg.UID)
	for i, want := range [][]byte{a, b} {
		p := recs2[i].Response.Path
		if filepath.Dir(p) != dest {
			t.Fatalf("record %d at %s, not in %s", i, p, dest)
		}
		if data, _ := os.ReadFile(p); !bytes.Equal(data, want) {
			t.Fatalf("record %d body differs", i)
		}
	}
	entries, _ := os.ReadDir(dest)
	if len(entries) != 2 {
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		t.Fatalf("destination holds %v, want exactly the two bodies", names)
	}
	if _, ok := e.m.Get("test", "crash-settle"); ok {
		t.Fatal("the id is still taken by an active fetch")
	}
}

// A destination on another, full file system: the copy fails with
// quota-exceeded, nothing half-copied stays in the user's folder, the
// bodies stay readable in the data dir, and a fetch that fits succeeds.
func TestDestinationFull(t *testing.T) {
	t.Parallel()
	dest := mountTmpfs(t, "1m")
	srv := testserver.New(t)
	big := randomBytes(3 << 20)
	ubig, usmall := srv.Put("/big.bin", big), srv.Put("/small.bin", []byte("fits"))
	e := newEnv(t)
	reg, err := e.m.Fetch("test", model.FetchRequest{ID: "full", Requests: model.Requests{{URL: ubig}}, Destination: dest})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.waitSettled(reg.UID, 10*time.Second); got.FailureReason != model.ReasonQuotaExceeded {
		t.Fatalf("settled = %+v", got)
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 0 {
		t.Fatalf("the destination keeps %d entries after the failed copy", len(entries))
	}
	if !bytes.Equal(e.body(reg.UID, 0), big) {
		t.Fatal("the body is not readable in the data dir after the failed move")
	}
	reg2, _ := e.m.Fetch("test", model.FetchRequest{ID: "fits", Requests: model.Requests{{URL: usmall}}, Destination: dest})
	if got := e.waitSettled(reg2.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("a fetch that fits: %+v", got)
	}
}
