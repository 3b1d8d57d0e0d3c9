package ui

import (
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// TestAddForm: URLs (several lines), title and destination become one
// Manager.Fetch under the app "bgfetch" with GET requests.
func TestAddForm(t *testing.T) {
	mgr := newFakeManager()
	v, w := newTestView(t, mgr, Options{})
	test.Tap(v.AddButton)
	if !v.Add.Visible() {
		t.Fatal("Add dialog not shown")
	}
	dest := t.TempDir()
	test.Type(v.Add.URLs, "http://127.0.0.1:1/a.iso\n  https://example.test/b.bin ")
	test.Type(v.Add.Title, "Two files")
	v.Add.Destination.SetText(dest)
	v.Add.Submit()

	if len(mgr.fetches) != 1 {
		t.Fatalf("fetches = %d", len(mgr.fetches))
	}
	f := mgr.fetches[0]
	if f.App != "bgfetch" || f.Req.Title != "Two files" || f.Req.Destination != dest || f.Req.ID == "" {
		t.Fatalf("fetch = %+v", f)
	}
	want := []model.Request{{URL: "http://127.0.0.1:1/a.iso", Method: "GET"}, {URL: "https://example.test/b.bin", Method: "GET"}}
	if !slices.EqualFunc(f.Req.Requests, want, func(a, b model.Request) bool { return a.URL == b.URL && a.Method == b.Method }) {
		t.Fatalf("requests = %+v", f.Req.Requests)
	}
	if v.Add.Visible() && v.addDialog != nil && w.Canvas().Overlays().Top() != nil {
		t.Fatal("dialog still open after a successful submit")
	}
	if v.Model.Len() != 1 || v.List.Selected() != "r_new1" {
		t.Fatalf("new fetch not listed and selected: len %d sel %q", v.Model.Len(), v.List.Selected())
	}
	if v.Add.URLs.Text != "" || v.Add.Title.Text != "" {
		t.Fatal("form not reset")
	}
}

// TestAddFormRejects bad input without calling the manager.
func TestAddFormRejects(t *testing.T) {
	cases := map[string]struct{ urls, dest string }{
		"no address":        {"   ", "/tmp"},
		"not a web address": {"ftp://example.test/x", "/tmp"},
		"relative folder":   {"https://example.test/x", "Downloads"},
		"not a URL":         {"example.test/x", "/tmp"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			mgr := newFakeManager()
			v, _ := newTestView(t, mgr, Options{})
			test.Tap(v.AddButton)
			test.Type(v.Add.URLs, c.urls)
			v.Add.Destination.SetText(c.dest)
			v.Add.Submit()
			if len(mgr.fetches) != 0 {
				t.Fatal("manager called")
			}
			if !v.Add.Error.Visible() || v.Add.Error.Text == "" {
				t.Fatal("no error shown")
			}
		})
	}
}

func TestDefaultDestination(t *testing.T) {
	t.Setenv("XDG_DOWNLOAD_DIR", "")
	t.Setenv("HOME", "/home/someone")
	if got := DefaultDestination(); got != filepath.Join("/home/someone", "Downloads") {
		t.Fatalf("got %q", got)
	}
}
