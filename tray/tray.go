// Package tray is bgfetch's system tray icon and menu (through Fyne's
// desktop.App: a StatusNotifierItem on Linux, a notification-area icon on
// Windows, a menu-bar extra on macOS): the icon tells the aggregate state
// (idle, downloading, paused or waiting, a failure to look at), the
// tooltip and the menu's first line give the aggregate progress, and the
// menu has one entry per active fetch (activating it fires
// backgroundfetchclick and shows the window), Pause all / Resume all,
// Start at login and Quit.
//
// It is handed the list of registrations (Refresh) and calls Click,
// PauseAll and ResumeAll; it never changes a fetch any other way and holds
// no state of its own. It imports nothing of the desktop app (app/).
package tray

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/icons"
	"github.com/bgfetch/bgfetch/internal/words"
)

// MaxEntries is how many active fetches the menu lists by name.
const MaxEntries = 10

// Controller is the part of downloads.Manager the tray drives.
type Controller interface {
	Click(uid string) error
	PauseAll()
	ResumeAll()
}

// Desk is where the tray lives (fyne's desktop.App).
type Desk interface {
	SetSystemTrayMenu(*fyne.Menu)
	SetSystemTrayIcon(fyne.Resource)
}

// Options wire the menu's other entries.
type Options struct {
	// Show shows the progress window.
	Show func()
	// Quit checkpoints everything and quits.
	Quit func()
	// Autostart is the Start at login entry; nil leaves it out.
	Autostart *Autostart
	// Tooltip sets the tray item's tooltip (on Linux the
	// StatusNotifierItem's ToolTip property) to the aggregate progress;
	// nil leaves it out.
	Tooltip func(text string)
	// Settings opens the settings window; nil leaves the entry out.
	Settings func()
	// Words is the language of the menu and tooltip (nil: English).
	Words *words.Words
}

// Tray keeps the icon and menu in step with the fetches. Refresh must run
// on the UI goroutine.
type Tray struct {
	desk Desk
	ctl  Controller
	opts Options

	signature string
	tooltip   string
	state     icons.TrayState
	iconSet   bool
}

// New makes the tray; call Refresh to show it.
func New(desk Desk, ctl Controller, opts Options) *Tray {
	if opts.Words == nil {
		opts.Words = words.English
	}
	return &Tray{desk: desk, ctl: ctl, opts: opts}
}

// StateOf is the icon for a list of fetches: downloading while any
// transfers; else a failure to look at while a failed fetch is listed;
// else paused while any waits (paused, offline, queued); else idle.
func StateOf(regs []model.Registration) icons.TrayState {
	return stateOf(words.Summarize(regs))
}

func stateOf(s words.Summary) icons.TrayState {
	switch {
	case s.Running > 0:
		return icons.TrayDownloading
	case s.Failed > 0:
		return icons.TrayFailed
	case s.Active > 0:
		return icons.TrayPaused
	}
	return icons.TrayIdle
}

// EntryLabel is a fetch's menu entry in the language of w (nil:
// English): "Episode 5 — 42%".
func EntryLabel(w *words.Words, r model.Registration) string {
	if w == nil {
		w = words.English
	}
	t := words.DisplayTitle(r)
	if len([]rune(t)) > 40 {
		t = string([]rune(t)[:39]) + "…"
	}
	what := ""
	switch r.State {
	case model.StatePaused, model.StateWaitingNetwork, model.StateQueued:
		what = w.State(r)
	default:
		if p, ok := words.Percent(r); ok {
			what = w.Percent(p)
		} else {
			what = w.Bytes(r.Downloaded)
		}
	}
	return w.T("tray.entry", map[string]any{"Title": t, "What": what})
}

// Menu builds the tray menu for regs (newest first).
func (t *Tray) Menu(regs []model.Registration) *fyne.Menu {
	return t.menu(regs, words.Summarize(regs))
}

// menu is Menu with regs' summary already made.
func (t *Tray) menu(regs []model.Registration, sum words.Summary) *fyne.Menu {
	w := t.opts.Words
	head := fyne.NewMenuItem(w.Summary(sum), nil)
	head.Disabled = true
	items := []*fyne.MenuItem{
		fyne.NewMenuItem(w.T("tray.show"), t.show),
		fyne.NewMenuItemSeparator(),
		head,
	}
	var active []model.Registration
	for _, r := range regs {
		if r.Active() {
			active = append(active, r)
		}
	}
	for i, r := range active {
		if i == MaxEntries {
			items = append(items, fyne.NewMenuItem(w.N("tray.more", len(active)-MaxEntries), t.show))
			break
		}
		uid := r.UID
		items = append(items, fyne.NewMenuItem(EntryLabel(w, r), func() {
			_ = t.ctl.Click(uid)
			t.show()
		}))
	}
	items = append(items,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem(w.T("tray.pauseAll"), t.ctl.PauseAll),
		fyne.NewMenuItem(w.T("tray.resumeAll"), t.ctl.ResumeAll),
	)
	if t.opts.Settings != nil {
		items = append(items, fyne.NewMenuItem(w.T("tray.settings"), t.opts.Settings))
	}
	if a := t.opts.Autostart; a != nil {
		login := fyne.NewMenuItem(w.T("tray.login"), nil)
		login.Checked = a.Enabled()
		login.Action = func() {
			if err := a.Set(!a.Enabled()); err != nil {
				fyne.LogError("bgfetch: start at login", err)
			}
			t.signature = "" // redraw the check mark
		}
		items = append(items, login)
	}
	quit := fyne.NewMenuItem(w.T("tray.quit"), t.quit)
	quit.IsQuit = true
	items = append(items, fyne.NewMenuItemSeparator(), quit)
	return fyne.NewMenu("bgfetch", items...)
}

func (t *Tray) show() {
	if t.opts.Show != nil {
		t.opts.Show()
	}
}

func (t *Tray) quit() {
	if t.opts.Quit != nil {
		t.opts.Quit()
	}
}

// Refresh updates the icon, the tooltip ("bgfetch — 2 downloading — 42%")
// and, when an entry changed, the menu. It returns whether the menu was
// rebuilt.
func (t *Tray) Refresh(regs []model.Registration) bool {
	return t.RefreshWith(regs, words.Summarize(regs))
}

// RefreshWith is Refresh with the summary made already (of the whole
// list), so that regs need only hold the active fetches: the window has
// the history too and need not copy it for the tray every second.
func (t *Tray) RefreshWith(regs []model.Registration, sum words.Summary) bool {
	if st := stateOf(sum); !t.iconSet || st != t.state {
		t.state, t.iconSet = st, true
		t.desk.SetSystemTrayIcon(fyne.NewStaticResource("bgfetch-tray-"+st.String()+".png", icons.Tray(st)))
	}
	if t.opts.Tooltip != nil {
		if tip := t.opts.Words.T("tray.tooltip", map[string]any{"Summary": t.opts.Words.Summary(sum)}); tip != t.tooltip {
			t.tooltip = tip
			t.opts.Tooltip(tip)
		}
	}
	m := t.menu(regs, sum)
	sig := signature(m)
	if sig == t.signature {
		return false
	}
	t.signature = sig
	t.desk.SetSystemTrayMenu(m)
	return true
}

// Resend forgets what was sent, so that the next Refresh sets the icon,
// tooltip and menu again: Windows' systray drops what is set before its
// window exists, which the first Refresh, before the UI runs, can be.
func (t *Tray) Resend() { t.iconSet, t.tooltip, t.signature = false, "", "" }

// State is the icon shown now.
func (t *Tray) State() icons.TrayState { return t.state }

func signature(m *fyne.Menu) string {
	var b strings.Builder
	for _, it := range m.Items {
		fmt.Fprintf(&b, "%s|%v|%v|%v\n", it.Label, it.Checked, it.Disabled, it.IsSeparator)
	}
	return b.String()
}

// MinInterval is the least time between two menu rebuilds the app should
// ask for: a rebuild renumbers the D-Bus menu, so it must not churn.
const MinInterval = time.Second
