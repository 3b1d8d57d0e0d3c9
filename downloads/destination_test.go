package downloads

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSafeFileName(t *testing.T) {
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
	reqs := []Request{{URL: srv.URL + "/ep.mp3"}, {URL: srv.URL + "/art.jpg"}, {URL: srv.URL + "/evil"}, {URL: srv.URL + "/abs"}, {URL: srv.URL + "/%2e%2e%2fup"}}
	reg, err := e.m.Fetch("test", "dest", reqs, FetchOptions{Destination: dest})
	if err != nil {
		t.Fatal(err)
	}
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.Result != ResultSuccess {
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
// intact, and other fetches complete once space is freed.
func TestDiskFull(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root (CI runs as root)")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	srv := newFileServer(t)
	big := srv.put("/big", randomBytes(6<<20))
	small := srv.put("/small", randomBytes(100<<10))
	e := &testEnv{t: t, dir: mnt, cfg: fastConfig()}
	e.start()
	defer e.stop()
	reg := e.fetch("big", big)
	got := e.waitSettled(reg.UID, 10*time.Second)
	if got.FailureReason != ReasonQuotaExceeded {
		t.Fatalf("settled = %+v", got)
	}
	if err := e.m.Release(reg.UID); err != nil { // frees the space
		t.Fatal(err)
	}
	reg2 := e.fetch("small", small)
	if got := e.waitSettled(reg2.UID, 10*time.Second); got.Result != ResultSuccess {
		t.Fatalf("after freeing space: %+v", got)
	}
	e.restart()
	if n := len(e.m.List()); n != 2 {
		t.Fatalf("store lost registrations after the disk filled: %d", n)
	}
}
