package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bgfetch/bgfetch/downloads/model"
)

func settled(result model.Result, reason model.FailureReason) func(*model.Registration) {
	return func(r *model.Registration) {
		r.Result, r.FailureReason, r.State = result, reason, model.StateSettled
		t := epoch.Add(time.Minute)
		r.SettledAt = &t
	}
}

func visibleButtons(r *Row) []string {
	var out []string
	for _, b := range []*Button{r.pause, r.resume, r.open, r.clear, r.cancel} {
		if b.Visible() {
			out = append(out, b.Text)
		}
	}
	return out
}

// TestRowStates covers spec D.26: every state in words, progress against
// downloadTotal / knownTotal / activity bar, Cancel while active,
// Pause/Resume only when all requests are GET, Clear once settled.
func TestRowStates(t *testing.T) {
	test.NewTempApp(t)
	cases := []struct {
		name     string
		item     Item
		status   string // the whole status line
		buttons  string
		progress float64 // -1: activity bar
	}{
		{"downloading", Item{Reg: reg("1"), Speed: 2_100_000},
			"26 MB of 61 MB (42%) · 2.1 MB/s · 17 s left · Downloading", "Pause Open Cancel", 0.42},
		{"downloading without downloadTotal uses knownTotal", Item{Reg: reg("2", func(r *model.Registration) {
			r.DownloadTotal, r.KnownTotal, r.Downloaded = 0, 2000, 500
		})}, "500 B of 2.0 kB (25%) · Downloading", "Pause Open Cancel", 0.25},
		{"downloading with no known size shows an activity bar", Item{Reg: reg("3", func(r *model.Registration) {
			r.DownloadTotal, r.KnownTotal, r.Downloaded = 0, 0, 1_500_000
		}), Speed: 1000}, "1.5 MB · 1.0 kB/s · Downloading", "Pause Open Cancel", -1},
		{"queued", Item{Reg: reg("4", func(r *model.Registration) { r.State, r.Downloaded = model.StateQueued, 0 })},
			"0 B of 61 MB (0%) · Queued", "Pause Open Cancel", 0},
		{"waiting for network", Item{Reg: reg("5", func(r *model.Registration) { r.State = model.StateWaitingNetwork }), Speed: 5},
			"26 MB of 61 MB (42%) · Waiting for network", "Pause Open Cancel", 0.42},
		{"paused", Item{Reg: reg("6", func(r *model.Registration) { r.State = model.StatePaused })},
			"26 MB of 61 MB (42%) · Paused", "Resume Open Cancel", 0.42},
		{"not all GET: no pause", Item{Reg: reg("7", func(r *model.Registration) { r.AllGET = false })},
			"26 MB of 61 MB (42%) · Downloading", "Open Cancel", 0.42},
		{"completed", Item{Reg: reg("8", settled(model.ResultSuccess, ""), func(r *model.Registration) { r.Downloaded = 61_000_000 })},
			"61 MB · Completed", "Open Clear", 1},
		{"failed bad-status", Item{Reg: reg("9", settled(model.ResultFailure, model.ReasonBadStatus))},
			"Failed: the server answered with an error", "Open Clear", 0},
		{"failed fetch-error", Item{Reg: reg("10", settled(model.ResultFailure, model.ReasonFetchError))},
			"26 MB · Failed: network error", "Open Clear", 0.42},
		{"failed quota", Item{Reg: reg("11", settled(model.ResultFailure, model.ReasonQuotaExceeded))},
			"26 MB · Failed: not enough storage space", "Open Clear", 0.42},
		{"failed download-total-exceeded", Item{Reg: reg("12", settled(model.ResultFailure, model.ReasonDownloadTotalExceeded))},
			"26 MB · Failed: larger than the app announced", "Open Clear", 0.42},
		{"cancelled", Item{Reg: reg("13", settled(model.ResultFailure, model.ReasonAborted), func(r *model.Registration) { r.Downloaded = 0 })},
			"Cancelled", "Open Clear", 0},
		{"queued with no known size: a plain empty bar", Item{Reg: reg("15", func(r *model.Registration) {
			r.State, r.DownloadTotal, r.KnownTotal, r.Downloaded = model.StateQueued, 0, 0, 0
		})}, "0 B · Queued", "Pause Open Cancel", 0},
		{"completed with unknown size", Item{Reg: reg("14", settled(model.ResultSuccess, ""), func(r *model.Registration) {
			r.DownloadTotal, r.KnownTotal, r.Downloaded = 0, 0, 1234
		})}, "1.2 kB · Completed", "Open Clear", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			row := NewRow(RowActions{}, theme.DownloadIcon(), nil)
			w := test.NewWindow(row)
			defer w.Close()
			w.Resize(fyne.NewSize(800, 100))
			row.Set(c.item)
			if got := row.status.Text; got != c.status {
				t.Errorf("status = %q, want %q", got, c.status)
			}
			if got := strings.Join(visibleButtons(row), " "); got != c.buttons {
				t.Errorf("buttons = %q, want %q", got, c.buttons)
			}
			if row.title.Text != "Episode "+c.item.Reg.UID || row.app.Text != "com.example.podcasts" {
				t.Errorf("title/app = %q / %q", row.title.Text, row.app.Text)
			}
			if c.progress < 0 {
				if !row.bar.Running() {
					t.Errorf("the bar does not sweep for a running fetch of unknown size")
				}
			} else {
				if row.bar.Running() {
					t.Errorf("the bar sweeps, want %v done", c.progress)
				}
				if d := row.bar.Value - c.progress; d > 0.01 || d < -0.01 {
					t.Errorf("progress = %v, want %v", row.bar.Value, c.progress)
				}
			}
			wantImp := widget.MediumImportance
			if strings.Contains(c.status, "Failed") {
				wantImp = widget.DangerImportance
			}
			if row.status.Importance != wantImp {
				t.Errorf("status importance = %v, want %v", row.status.Importance, wantImp)
			}
		})
	}
}

// TestRowReuse: widget.List reuses rows, so a row that showed a running
// fetch must show a settled one correctly and the other way around.
func TestRowReuse(t *testing.T) {
	test.NewTempApp(t)
	row := NewRow(RowActions{}, theme.DownloadIcon(), nil)
	w := test.NewWindow(row)
	defer w.Close()
	unknown := reg("a", func(r *model.Registration) { r.DownloadTotal = 0 })
	row.Set(Item{Reg: unknown})
	if !row.bar.Running() {
		t.Fatal("the bar should sweep")
	}
	row.Set(Item{Reg: reg("b", settled(model.ResultSuccess, ""))})
	if row.bar.Running() {
		t.Fatal("settled row still sweeps")
	}
	if got := strings.Join(visibleButtons(row), " "); got != "Open Clear" {
		t.Fatalf("buttons = %q", got)
	}
	row.Set(Item{Reg: reg("c", func(r *model.Registration) { r.State = model.StatePaused })})
	if got := strings.Join(visibleButtons(row), " "); got != "Resume Open Cancel" {
		t.Fatalf("buttons = %q", got)
	}
}

// TestRowButtons: each button calls its action with the row's uid; a
// double tap activates (spec C.22), a single tap selects.
func TestRowButtons(t *testing.T) {
	test.NewTempApp(t)
	var got []string
	rec := func(name string) func(string) { return func(uid string) { got = append(got, name+" "+uid) } }
	row := NewRow(RowActions{Open: rec("open"), Cancel: rec("cancel"), Pause: rec("pause"),
		Resume: rec("resume"), Clear: rec("clear"), Select: rec("select"), Retry: rec("retry")}, theme.DownloadIcon(), nil)
	w := test.NewWindow(row)
	defer w.Close()
	row.Set(Item{Reg: reg("x")})
	test.Tap(row.pause)
	test.Tap(row.cancel)
	test.Tap(row.open)
	test.Tap(row)
	test.DoubleTap(row)
	row.Set(Item{Reg: reg("y", func(r *model.Registration) { r.State = model.StatePaused })})
	test.Tap(row.resume)
	row.Set(Item{Reg: reg("z", settled(model.ResultSuccess, ""))})
	test.Tap(row.clear)
	want := "pause x,cancel x,open x,select x,open x,resume y,clear z"
	if s := strings.Join(got, ","); s != want {
		t.Fatalf("calls = %s\nwant    %s", s, want)
	}
}
