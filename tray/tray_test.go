package tray

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/icons"
)

type fakeDesk struct {
	menus []*fyne.Menu
	icons []string
}

func (d *fakeDesk) SetSystemTrayMenu(m *fyne.Menu)    { d.menus = append(d.menus, m) }
func (d *fakeDesk) SetSystemTrayIcon(r fyne.Resource) { d.icons = append(d.icons, r.Name()) }

type fakeCtl struct{ calls []string }

func (c *fakeCtl) Click(uid string) error { c.calls = append(c.calls, "click "+uid); return nil }
func (c *fakeCtl) PauseAll()              { c.calls = append(c.calls, "pauseall") }
func (c *fakeCtl) ResumeAll()             { c.calls = append(c.calls, "resumeall") }

func reg(uid, title string, state model.State, done, total int64) model.Registration {
	return model.Registration{UID: uid, ID: "id-" + uid, Title: title, State: state, Downloaded: done, DownloadTotal: total}
}

func failed(r model.Registration, reason model.FailureReason) model.Registration {
	r.Result, r.FailureReason, r.State = model.ResultFailure, reason, model.StateSettled
	return r
}

func labels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if it.IsSeparator {
			out = append(out, "---")
			continue
		}
		l := it.Label
		if it.Checked {
			l += " [x]"
		}
		out = append(out, l)
	}
	return out
}

func item(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("no %q in %v", label, labels(m))
	return nil
}

func TestStateOf(t *testing.T) {
	run := reg("1", "a", model.StateRunning, 1, 10)
	pause := reg("2", "b", model.StatePaused, 1, 10)
	wait := reg("3", "c", model.StateWaitingNetwork, 1, 10)
	bad := failed(reg("4", "d", "", 0, 0), model.ReasonBadStatus)
	cancelled := failed(reg("5", "e", "", 0, 0), model.ReasonAborted)
	cases := []struct {
		regs []model.Registration
		want icons.TrayState
	}{
		{nil, icons.TrayIdle},
		{[]model.Registration{cancelled}, icons.TrayIdle},
		{[]model.Registration{pause}, icons.TrayPaused},
		{[]model.Registration{wait}, icons.TrayPaused},
		{[]model.Registration{bad, pause}, icons.TrayFailed},
		{[]model.Registration{bad, run, pause}, icons.TrayDownloading},
	}
	for i, c := range cases {
		if got := StateOf(c.regs); got != c.want {
			t.Errorf("%d: %v, want %v", i, got, c.want)
		}
	}
}

// TestMenu: aggregate, one entry per active fetch ("Episode 5 — 42%")
// whose activation clicks the fetch and shows the window; Pause all /
// Resume all; Quit last.
func TestMenu(t *testing.T) {
	ctl := &fakeCtl{}
	shown, quit := 0, 0
	tr := New(&fakeDesk{}, ctl, Options{Show: func() { shown++ }, Quit: func() { quit++ }})
	regs := []model.Registration{
		reg("1", "Episode 5", model.StateRunning, 42, 100),
		reg("2", "", model.StatePaused, 1, 10),
		reg("3", "Unknown size", model.StateRunning, 1_500_000, 0),
		failed(reg("4", "Old", "", 0, 0), model.ReasonFetchError),
	}
	m := tr.Menu(regs)
	want := []string{"Show bgfetch", "---", "2 downloading — 39%", "Episode 5 — 42%", "id-2 — Paused",
		"Unknown size — 1.5 MB", "---", "Pause all", "Resume all", "---", "Quit"}
	if got := labels(m); !slices.Equal(got, want) {
		t.Fatalf("menu = %q\nwant   %q", got, want)
	}
	if !m.Items[2].Disabled || !m.Items[len(m.Items)-1].IsQuit {
		t.Fatal("aggregate must be disabled and Quit marked IsQuit")
	}
	item(t, m, "Episode 5 — 42%").Action()
	item(t, m, "Pause all").Action()
	item(t, m, "Resume all").Action()
	item(t, m, "Show bgfetch").Action()
	item(t, m, "Quit").Action()
	if !slices.Equal(ctl.calls, []string{"click 1", "pauseall", "resumeall"}) || shown != 2 || quit != 1 {
		t.Fatalf("calls %v shown %d quit %d", ctl.calls, shown, quit)
	}
}

func TestMenuCapsEntries(t *testing.T) {
	var regs []model.Registration
	for i := 0; i < MaxEntries+5; i++ {
		regs = append(regs, reg(string(rune('a'+i)), "x", model.StateRunning, 1, 2))
	}
	m := New(&fakeDesk{}, &fakeCtl{}, Options{}).Menu(regs)
	item(t, m, "5 more…")
}

// TestRefresh sets the icon only when the state changes and the menu only
// when an entry changed.
func TestRefresh(t *testing.T) {
	d := &fakeDesk{}
	tr := New(d, &fakeCtl{}, Options{})
	regs := []model.Registration{reg("1", "Episode 5", model.StateRunning, 42, 100)}
	if !tr.Refresh(regs) || tr.Refresh(regs) {
		t.Fatal("want one rebuild for the same list")
	}
	regs[0].Downloaded = 43
	if !tr.Refresh(regs) {
		t.Fatal("no rebuild after progress")
	}
	regs[0].State = model.StatePaused
	tr.Refresh(regs)
	if want := []string{"bgfetch-tray-downloading.png", "bgfetch-tray-paused.png"}; !slices.Equal(d.icons, want) {
		t.Fatalf("icons = %v", d.icons)
	}
	if len(d.menus) != 3 {
		t.Fatalf("menus = %d", len(d.menus))
	}
}

// TestTooltip: the tooltip gives the aggregate progress and is set again
// only when its text changes.
func TestTooltip(t *testing.T) {
	var tips []string
	tr := New(&fakeDesk{}, &fakeCtl{}, Options{Tooltip: func(s string) { tips = append(tips, s) }})
	regs := []model.Registration{
		reg("1", "Episode 5", model.StateRunning, 30, 100),
		reg("2", "Artwork", model.StateQueued, 12, 100),
	}
	tr.Refresh(regs)
	tr.Refresh(regs)
	regs[0].Downloaded = 90
	tr.Refresh(regs)
	regs[0] = failed(regs[0], model.ReasonBadStatus)
	regs[1] = failed(regs[1], model.ReasonAborted)
	tr.Refresh(regs)
	want := []string{
		"bgfetch — 1 downloading — 21%",
		"bgfetch — 1 downloading — 51%",
		"bgfetch — 1 download failed",
	}
	if !slices.Equal(tips, want) {
		t.Fatalf("tooltips = %q, want %q", tips, want)
	}
}

// TestResend: after Resend the next Refresh sets the icon, the tooltip
// and the menu again although nothing changed (Windows' systray lost what
// was set before it was ready).
func TestResend(t *testing.T) {
	d := &fakeDesk{}
	var tips []string
	tr := New(d, &fakeCtl{}, Options{Tooltip: func(s string) { tips = append(tips, s) }})
	regs := []model.Registration{reg("1", "Episode 5", model.StateRunning, 42, 100)}
	tr.Refresh(regs)
	tr.Resend()
	if !tr.Refresh(regs) {
		t.Fatal("no menu after Resend")
	}
	if len(d.icons) != 2 || len(tips) != 2 || len(d.menus) != 2 || tips[1] != tips[0] {
		t.Fatalf("after Resend: icons %v, tooltips %q, %d menus", d.icons, tips, len(d.menus))
	}
	if tr.Refresh(regs) || len(tips) != 2 {
		t.Fatal("sent again without Resend")
	}
}
