package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

func twoFiles(dir string) []model.Record {
	return []model.Record{
		{Index: 0, Request: model.Request{URL: "https://cdn.test/ep/episode%205.mp3"}, State: model.RecordRunning,
			Downloaded: 3_000_000, Total: 9_000_000, Response: &model.Response{Status: 200, Path: dir + "/.part-0"}},
		{Index: 1, Request: model.Request{URL: "https://cdn.test/ep/cover.jpg"}, State: model.RecordSuccess,
			Downloaded: 250_000, Total: 250_000, Response: &model.Response{Status: 200, Size: 250_000, Path: dir + "/cover.jpg"}},
		{Index: 2, Request: model.Request{URL: "https://cdn.test/ep/notes.pdf"}, State: model.RecordFailed,
			Response: &model.Response{Status: 404}, Error: "404 Not Found"},
	}
}

// TestDetailsShowsFiles: selecting a row opens the details pane with the
// fetch's files: name, size, progress, state, HTTP status, error, speed;
// Open and Show in folder only for a file on disk; Copy address copies.
func TestDetailsShowsFiles(t *testing.T) {
	mgr := newFakeManager()
	dir := t.TempDir()
	var opened, shown []string
	v, w := newTestView(t, mgr, Options{
		OpenPath:     func(p string) { opened = append(opened, p) },
		ShowInFolder: func(p string) { shown = append(shown, p) },
	})
	mgr.records["a"] = twoFiles(dir)
	v.SetAll([]model.Registration{reg("a")})
	v.Redraw()
	if v.Details.Visible() {
		t.Fatal("details shown with nothing selected")
	}
	v.List.SelectUID("a")
	if !v.Details.Visible() || v.Details.UID() != "a" {
		t.Fatal("details not shown for the selection")
	}
	if !strings.HasPrefix(v.Details.Title.Text, "Episode a — Downloading") ||
		!strings.Contains(v.Details.Facts.Text, "3 files · 26 MB of 61 MB · App: com.example.podcasts") {
		t.Fatalf("head %q / %q", v.Details.Title.Text, v.Details.Facts.Text)
	}
	byName := fileRows(t, w)
	running, done, failed := byName["episode 5.mp3"], byName["cover.jpg"], byName["notes.pdf"]
	if running == nil || done == nil || failed == nil {
		t.Fatalf("names: %v", slices.Collect(func(yield func(string) bool) {
			for k := range byName {
				yield(k)
			}
		}))
	}
	if running.status.Text != "3.0 MB of 9.0 MB · Downloading · HTTP 200" || running.bar.Value < 0.33 || running.bar.Value > 0.34 {
		t.Errorf("running file: %q %v", running.status.Text, running.bar.Value)
	}
	if !running.open.Disabled() || !running.show.Disabled() {
		t.Error("Open offered for a file not on disk yet")
	}
	if done.status.Text != "250 kB · Done · HTTP 200" || done.bar.Value != 1 || !done.open.Disabled() {
		t.Errorf("done file of an active fetch: %q %v, open disabled %v", done.status.Text, done.bar.Value, done.open.Disabled())
	}
	if failed.status.Text != "Failed · HTTP 404" || !failed.problem.Visible() || failed.problem.Text != "404 Not Found" {
		t.Errorf("failed file: %q %q", failed.status.Text, failed.problem.Text)
	}
	test.Tap(done.copyAddr)
	// Once the fetch succeeded its files are where they stay: Open and
	// Show in folder.
	v.Update(reg("a", settled(model.ResultSuccess, "")))
	v.Redraw()
	v.List.SelectUID("a")
	v.refreshDetails(true)
	done = fileRows(t, w)["cover.jpg"]
	if done.open.Disabled() {
		t.Fatal("Open disabled for a file of a fetch that succeeded")
	}
	test.Tap(done.open)
	test.Tap(done.show)
	if !slices.Equal(opened, []string{dir + "/cover.jpg"}) || !slices.Equal(shown, []string{dir + "/cover.jpg"}) {
		t.Fatalf("opened %v shown %v", opened, shown)
	}
	if got := fyne.CurrentApp().Clipboard().Content(); got != "https://cdn.test/ep/cover.jpg" {
		t.Fatalf("clipboard %q", got)
	}

	// The per-file speed: more bytes half a second later.
	recs := twoFiles(dir)
	recs[0].Downloaded = 4_000_000
	now := time.Now().Add(time.Second)
	v.Details.Set(reg("a"), twoFiles(dir), now)
	v.Details.Set(reg("a"), recs, now.Add(time.Second))
	fi, _ := v.Details.FileAt(0)
	if s := FileStatus(words.English, fi); s != "4.0 MB of 9.0 MB · Downloading · HTTP 200 · 1.0 MB/s" {
		t.Fatalf("with speed: %q", s)
	}

	// Escape closes the pane.
	w.Canvas().Unfocus()
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if v.Details.Visible() {
		t.Fatal("Escape left the details open")
	}
}

// TestDetailsControls: with transfer control the pane sets the priority
// and the speed limit live (a bad limit is refused with a message and
// changes nothing), and Retry (also on the row) retries a failed fetch.
func TestDetailsControls(t *testing.T) {
	mgr := newFakeManager()
	v, _ := newTestView(t, mgr, Options{})
	v.SetAll([]model.Registration{reg("a"), reg("f", settled(model.ResultFailure, model.ReasonFetchError))})
	v.Redraw()
	v.List.SelectUID("a")
	d := v.Details
	if d.Retry.Visible() || !d.Cancel.Visible() {
		t.Fatal("Retry on an active fetch")
	}
	d.Priority.SetSelectedIndex(0) // High
	d.Limit.SetText("not fast")
	test.Tap(d.LimitApply)
	if !d.Message.Visible() || !strings.Contains(d.Message.Text, "not a speed: not fast") {
		t.Fatalf("bad limit: %q", d.Message.Text)
	}
	d.Limit.SetText("1.5M")
	test.Tap(d.LimitApply)
	if d.Message.Visible() {
		t.Fatalf("message after a good limit: %q", d.Message.Text)
	}
	v.List.SelectUID("f")
	if !d.Retry.Visible() || d.Cancel.Visible() || !d.Priority.Disabled() {
		t.Fatal("a failed fetch: want Retry, no Cancel, no priority")
	}
	test.Tap(d.Retry)
	want := []string{"priority a high", "limit a 1572864", "retry f"}
	if got := mgr.Calls(); !slices.Equal(got, want) {
		t.Fatalf("calls %v, want %v", got, want)
	}
	if v.List.Selected() != "retry-of-f" {
		t.Fatalf("the retry is not selected: %q", v.List.Selected())
	}
}

// fileRows are the details pane's file rows on screen, by file name.
func fileRows(t *testing.T, w fyne.Window) map[string]*fileRow {
	t.Helper()
	byName := map[string]*fileRow{}
	for _, o := range test.LaidOutObjects(w.Content()) {
		if r, ok := o.(*fileRow); ok && r.Visible() && r.info.Rec.Request.URL != "" {
			byName[r.name.Text] = r
		}
	}
	if len(byName) != 3 {
		t.Fatalf("%d file rows: %v", len(byName), byName)
	}
	return byName
}
