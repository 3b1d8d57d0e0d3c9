package ui

import (
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// Manager is what the window asks of the engine (*downloads.Manager has
// it): the calls its buttons make and what it reads besides the events.
type Manager interface {
	Click(uid string) error
	Abort(uid string) (bool, error)
	Pause(uid string) error
	Resume(uid string) error
	PauseAll()
	ResumeAll()
	Forget(uid string) error
	Fetch(app string, req model.FetchRequest) (model.Registration, error)
	Records(uid string) ([]model.Record, error)
	// HasHandler reports whether a command or webhook takes reg's events.
	HasHandler(reg model.Registration) bool
}

// Options tune a View.
type Options struct {
	// DefaultIcon is shown for fetches without a loadable icon.
	DefaultIcon fyne.Resource
	// Icons loads fetch icons; nil shows DefaultIcon everywhere.
	Icons *IconLoader
	// OpenPath opens a folder or file with the desktop's default program
	// (used when an activated fetch has no handler). Nil does nothing.
	OpenPath func(path string)
	// Interval is the least time between two redraws (default 100 ms:
	// at most ten a second).
	Interval time.Duration
	// Log receives errors of the Manager calls (default slog).
	Log *slog.Logger
}

// View is the progress window's content: a toolbar (Add, Pause all,
// Resume all, Clear all completed, the aggregate), the list, an empty-state
// line and the Add dialog.
type View struct {
	mgr  Manager
	opts Options

	Model   *Model
	List    *DownloadList
	Summary *widget.Label
	Empty   *widget.Label
	Add     *AddForm

	AddButton, PauseAllButton, ResumeAllButton, ClearButton *widget.Button

	content   fyne.CanvasObject
	win       fyne.Window
	addDialog dialog.Dialog

	redraws  atomic.Int64
	queued   atomic.Bool
	started  atomic.Bool
	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// NewView builds the content over mgr. Call Attach to put it in a window
// and Start to begin drawing updates.
func NewView(mgr Manager, opts Options) *View {
	if opts.DefaultIcon == nil {
		opts.DefaultIcon = theme.DownloadIcon()
	}
	if opts.Interval <= 0 {
		opts.Interval = 100 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	v := &View{mgr: mgr, opts: opts, Model: NewModel(), stop: make(chan struct{}), done: make(chan struct{})}
	if opts.Icons != nil {
		prev := opts.Icons.OnLoaded
		opts.Icons.OnLoaded = func() {
			v.Model.mu.Lock()
			v.Model.markLocked()
			v.Model.mu.Unlock()
			if prev != nil {
				prev()
			}
		}
	}
	actions := RowActions{
		Open:   v.Activate,
		Cancel: v.Cancel,
		Pause:  v.Pause,
		Resume: v.Resume,
		Clear:  v.Clear,
		Select: func(uid string) { v.List.SelectUID(uid) },
	}
	if opts.Icons != nil {
		actions.Icon = func(r model.Registration) fyne.Resource {
			if res := opts.Icons.Resource(r); res != nil {
				return res
			}
			return opts.DefaultIcon
		}
	}
	v.List = NewDownloadList(v.Model, func() *Row { return NewRow(actions, opts.DefaultIcon) })
	v.List.OnKey = v.key

	v.Summary = widget.NewLabel("")
	// Plain style on purpose: each text style Fyne draws loads its own
	// font faces (several MiB), and the rows use only regular and bold.
	v.Empty = widget.NewLabelWithStyle("No downloads yet. Use Add to start one.", fyne.TextAlignCenter, fyne.TextStyle{})

	v.Add = NewAddForm(v.submit)
	v.AddButton = widget.NewButtonWithIcon("Add", theme.ContentAddIcon(), v.ShowAdd)
	v.AddButton.Importance = widget.HighImportance
	v.PauseAllButton = widget.NewButtonWithIcon("Pause all", theme.MediaPauseIcon(), func() { mgr.PauseAll() })
	v.ResumeAllButton = widget.NewButtonWithIcon("Resume all", theme.MediaPlayIcon(), func() { mgr.ResumeAll() })
	v.ClearButton = widget.NewButtonWithIcon("Clear all completed", theme.DeleteIcon(), v.ClearAll)

	toolbar := container.NewBorder(nil, nil,
		container.NewHBox(v.AddButton, v.PauseAllButton, v.ResumeAllButton, v.ClearButton),
		nil, container.NewHBox(layoutSpacer(), v.Summary))
	v.content = container.NewBorder(
		container.NewVBox(toolbar, widget.NewSeparator()), nil, nil, nil,
		container.NewStack(v.List, container.NewCenter(v.Empty)))
	v.redraw()
	return v
}

func layoutSpacer() fyne.CanvasObject { return widget.NewLabel("") }

// Content is the window's content.
func (v *View) Content() fyne.CanvasObject { return v.content }

// Attach puts the view in w: content, minimum size, keyboard.
func (v *View) Attach(w fyne.Window) {
	v.win = w
	w.SetContent(v.content)
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { v.key(ev, v.List.Selected()) })
	v.Add.Browse = func(set func(string)) {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				set(u.Path())
			}
		}, w)
		d.Show()
	}
}

// Start begins drawing model changes, at most one redraw per Interval.
func (v *View) Start() {
	if !v.started.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer close(v.done)
		t := time.NewTicker(v.opts.Interval)
		defer t.Stop()
		lastExpire := time.Now()
		for {
			select {
			case <-v.stop:
				return
			case now := <-t.C:
				if now.Sub(lastExpire) >= time.Second {
					lastExpire = now
					v.Model.ExpireSpeeds()
				}
				if v.queued.Load() || !v.Model.TakeDirty() {
					continue
				}
				v.queued.Store(true)
				fyne.Do(func() {
					v.queued.Store(false)
					v.redraw()
				})
			}
		}
	}()
}

// Stop ends the redraw loop.
func (v *View) Stop() {
	v.stopOnce.Do(func() { close(v.stop) })
	if !v.started.Load() {
		return
	}
	select {
	case <-v.done:
	case <-time.After(time.Second):
	}
}

// Redraws counts the redraws so far.
func (v *View) Redraws() int64 { return v.redraws.Load() }

// Update records a new state of a registration. It never blocks on
// drawing; the change shows at the next redraw.
func (v *View) Update(r model.Registration) { v.Model.Update(r) }

// Reconcile adds fetches no event announced and drops those no longer
// kept (see Model.Reconcile); the change shows at the next redraw.
func (v *View) Reconcile(regs []model.Registration) { v.Model.Reconcile(regs) }

// SetAll replaces the rows (at start).
func (v *View) SetAll(regs []model.Registration) { v.Model.Set(regs) }

// Redraw draws the model now. Call it on the UI goroutine.
func (v *View) Redraw() { v.redraw() }

func (v *View) redraw() {
	v.redraws.Add(1)
	items := v.Model.Items()
	regs := make([]model.Registration, len(items))
	settled := 0
	for i, it := range items {
		regs[i] = it.Reg
		if !it.Reg.Active() {
			settled++
		}
	}
	v.Summary.SetText(words.Summarize(regs).Words())
	setVisible(v.Empty, len(items) == 0)
	if settled == 0 {
		v.ClearButton.Disable()
	} else {
		v.ClearButton.Enable()
	}
	v.List.Resync()
}

func (v *View) key(ev *fyne.KeyEvent, uid string) bool {
	if uid == "" {
		return false
	}
	_, it, ok := v.Model.Find(uid)
	if !ok {
		return false
	}
	switch ev.Name {
	case fyne.KeyDelete:
		if it.Reg.Active() {
			v.Cancel(uid)
		}
		return true
	case fyne.KeySpace:
		if it.Reg.Active() && it.Reg.AllGET {
			if it.Reg.State == model.StatePaused {
				v.Resume(uid)
			} else {
				v.Pause(uid)
			}
		}
		return true
	case fyne.KeyReturn, fyne.KeyEnter:
		v.Activate(uid)
		return true
	}
	return false
}

// Activate is what double-clicking a row or its Open button does:
// Manager.Click (backgroundfetchclick); with no handler for the fetch, it
// also opens the destination folder or the first file.
func (v *View) Activate(uid string) {
	if err := v.mgr.Click(uid); err != nil {
		v.fail("click", uid, err)
		return
	}
	_, it, ok := v.Model.Find(uid)
	if !ok || v.opts.OpenPath == nil || v.mgr.HasHandler(it.Reg) {
		return
	}
	if p := v.openTarget(it.Reg); p != "" {
		v.opts.OpenPath(p)
	}
}

func (v *View) openTarget(r model.Registration) string {
	if r.Destination != "" {
		if st, err := os.Stat(r.Destination); err == nil && st.IsDir() {
			return r.Destination
		}
	}
	recs, err := v.mgr.Records(r.UID)
	if err != nil {
		return ""
	}
	for _, rec := range recs {
		if rec.Response != nil && rec.Response.Path != "" {
			if _, err := os.Stat(rec.Response.Path); err == nil {
				if len(recs) == 1 {
					return rec.Response.Path
				}
				return filepath.Dir(rec.Response.Path)
			}
		}
	}
	return ""
}

// Cancel aborts a fetch (reason aborted).
func (v *View) Cancel(uid string) {
	if _, err := v.mgr.Abort(uid); err != nil {
		v.fail("abort", uid, err)
	}
}

// Pause pauses a fetch.
func (v *View) Pause(uid string) {
	if err := v.mgr.Pause(uid); err != nil {
		v.fail("pause", uid, err)
	}
}

// Resume resumes a fetch.
func (v *View) Resume(uid string) {
	if err := v.mgr.Resume(uid); err != nil {
		v.fail("resume", uid, err)
	}
}

// Clear forgets a settled fetch and removes its row.
func (v *View) Clear(uid string) {
	if err := v.mgr.Forget(uid); err != nil {
		v.fail("clear", uid, err)
		return
	}
	v.Model.Remove(uid)
	v.redraw()
}

// ClearAll forgets every settled fetch.
func (v *View) ClearAll() {
	for _, uid := range v.Model.Settled(nil) {
		if err := v.mgr.Forget(uid); err != nil {
			v.fail("clear", uid, err)
			continue
		}
		v.Model.Remove(uid)
	}
	v.redraw()
}

// ShowAdd opens the Add dialog.
func (v *View) ShowAdd() {
	if v.win == nil {
		return
	}
	if v.addDialog == nil {
		v.addDialog = dialog.NewCustomWithoutButtons("Add a download", v.Add, v.win)
		v.Add.OnDone = func() { v.addDialog.Hide() }
	}
	v.addDialog.Resize(fyne.NewSize(560, 0))
	v.addDialog.Show()
	v.win.Canvas().Focus(v.Add.URLs)
}

func (v *View) submit(req AddRequest) error {
	reg, err := v.mgr.Fetch(AddApp, model.FetchRequest{
		ID: NewFetchID(), Requests: req.Requests(),
		Title: req.Title, Destination: req.Destination,
	})
	if err != nil {
		return err
	}
	v.Model.Update(reg)
	v.redraw()
	v.List.SelectUID(reg.UID)
	return nil
}

func (v *View) fail(op, uid string, err error) {
	v.opts.Log.Warn("bgfetch: "+op+" failed", "uid", uid, "err", err)
	if v.win != nil && model.NameOf(err) != model.InvalidStateError {
		dialog.ShowError(err, v.win)
	}
}
