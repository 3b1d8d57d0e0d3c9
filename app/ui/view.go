package ui

import (
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

	// Transfer control (api.md, second round): Retry of a failed or
	// cancelled fetch, live changes of one (priority, speed limit), and
	// the daemon's settings.
	Retry(uid string) (model.Registration, error)
	Update(uid string, p model.RegistrationPatch) (model.Registration, error)
	SettingsStore
}

// Options tune a View.
type Options struct {
	// Words is the language of every string (nil: English).
	Words *words.Words
	// DefaultIcon is shown for fetches without a loadable icon.
	DefaultIcon fyne.Resource
	// Icons loads fetch icons; nil shows DefaultIcon everywhere.
	Icons *IconLoader
	// OpenPath opens a folder or file with the desktop's default program
	// (used when an activated fetch has no handler, and by the details'
	// Open). Nil does nothing.
	OpenPath func(path string)
	// ShowInFolder shows a file in the file manager (nil: OpenPath of its
	// folder).
	ShowInFolder func(path string)
	// DefaultFolder is where the Add form saves by default (nil: the
	// user's Downloads folder).
	DefaultFolder func() string
	// Interval is the least time between two redraws (default 100 ms:
	// at most ten a second).
	Interval time.Duration
	// Log receives errors of the Manager calls (default slog).
	Log *slog.Logger
	// Map, when set, is told where the widgets are (UIMapEnv).
	Map *UIMap
}

// View is the progress window's content: a toolbar (Add, Pause all,
// Resume all, Clear all completed, the search, the aggregate), the list
// (active fetches, then the history), the details of the selected fetch,
// an empty-state line and the Add dialog. Links dropped on the window or
// pasted into it open the Add dialog filled in.
type View struct {
	mgr   Manager
	opts  Options
	words *words.Words

	Model   *Model
	List    *DownloadList
	Details *Details
	Summary *widget.Label
	Empty   *widget.Label
	Search  *widget.Entry
	Add     *AddForm

	AddButton, PauseAllButton, ResumeAllButton, ClearButton, SettingsButton *Button

	// OnSettings opens the settings (nil hides the toolbar's button).
	OnSettings func()

	content   fyne.CanvasObject
	win       fyne.Window
	addDialog dialog.Dialog
	addShown  bool

	recordsAt      time.Time // when the details last read the records
	recordsFor     string
	detailsVersion uint64 // the model's version the details show

	redraws  atomic.Int64
	queued   atomic.Bool
	started  atomic.Bool
	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

// recordsEvery is how often the details pane reads an active fetch's
// records (each file's bytes) while it is shown.
const recordsEvery = 500 * time.Millisecond

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
	if opts.Words == nil {
		opts.Words = words.English
	}
	w := opts.Words
	v := &View{mgr: mgr, opts: opts, words: w, Model: NewModel(), stop: make(chan struct{}), done: make(chan struct{})}
	v.Model.SetSearchText(v.fileNames, w.State)
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
	v.List = NewDownloadList(v.Model, v.rowActions(), opts.DefaultIcon, w)
	v.List.OnKey = v.key
	v.List.OnSelect = v.selected
	v.Details = NewDetails(w, v.detailsActions())
	v.Details.Hide()

	v.Summary = widget.NewLabel("")
	// Plain style on purpose: each text style Fyne draws loads its own
	// font faces (several MiB), and the window uses only regular (Button).
	v.Empty = widget.NewLabelWithStyle(w.T("list.empty"), fyne.TextAlignCenter, fyne.TextStyle{})
	v.Search = widget.NewEntry()
	v.Search.SetPlaceHolder(w.T("search.placeholder"))
	v.Search.ActionItem = widget.NewIcon(theme.SearchIcon())
	v.Search.OnChanged = v.search

	v.Add = NewAddForm(w, v.submit)
	v.Add.DefaultFolder = opts.DefaultFolder
	if opts.DefaultFolder != nil {
		v.Add.Destination.SetText(opts.DefaultFolder())
	}
	v.AddButton = NewButton(w.T("toolbar.add"), theme.ContentAddIcon(), v.ShowAdd)
	v.AddButton.Importance = widget.HighImportance
	v.PauseAllButton = NewButton(w.T("toolbar.pauseAll"), theme.MediaPauseIcon(), func() { mgr.PauseAll() })
	v.ResumeAllButton = NewButton(w.T("toolbar.resumeAll"), theme.MediaPlayIcon(), func() { mgr.ResumeAll() })
	v.ClearButton = NewButton(w.T("toolbar.clearCompleted"), theme.DeleteIcon(), v.ClearAll)
	v.SettingsButton = NewButton("", theme.SettingsIcon(), func() {
		if v.OnSettings != nil {
			v.OnSettings()
		}
	})

	left := container.NewHBox(v.AddButton, v.PauseAllButton, v.ResumeAllButton, v.ClearButton)
	right := container.NewHBox(v.Summary, v.SettingsButton)
	toolbar := container.NewBorder(nil, nil, left, right)
	listArea := container.NewStack(v.List, container.NewCenter(v.Empty))
	split := container.NewVSplit(listArea, v.Details)
	split.Offset = 0.45
	v.content = container.NewBorder(
		container.NewVBox(toolbar, v.Search, widget.NewSeparator()), nil, nil, nil, split)
	v.mapWidgets()
	v.redraw()
	return v
}

// mapWidgets names the widgets for the UI map (Options.Map).
func (v *View) mapWidgets() {
	m := v.opts.Map
	if m == nil {
		return
	}
	win := func() fyne.Window { return v.win }
	for name, o := range map[string]fyne.CanvasObject{
		"toolbar.add": v.AddButton, "toolbar.pauseAll": v.PauseAllButton, "toolbar.resumeAll": v.ResumeAllButton,
		"toolbar.clear": v.ClearButton, "toolbar.settings": v.SettingsButton, "search": v.Search, "list": v.List,
		"empty": v.Empty,
	} {
		m.Add(name, o, win)
	}
	d := v.Details
	for name, o := range map[string]fyne.CanvasObject{
		"details": d, "details.pause": d.Pause, "details.resume": d.Resume, "details.cancel": d.Cancel,
		"details.retry": d.Retry, "details.close": d.CloseButton, "details.priority": d.Priority,
		"details.limit": d.Limit, "details.apply": d.LimitApply, "details.files": d.Files,
	} {
		m.Add(name, o, win, d)
	}
	a := v.Add
	for name, o := range map[string]fyne.CanvasObject{
		"add.urls": a.URLs, "add.title": a.Title, "add.destination": a.Destination,
		"add.submit": a.SubmitButton, "add.cancel": a.CancelButton,
	} {
		m.AddShown(name, o, win, func() bool { return v.addShown })
	}
	m.Fact("list.shown", func() string { return strconv.Itoa(v.Model.Len()) })
	m.Fact("list.total", func() string { return strconv.Itoa(v.Model.Total()) })
	m.Fact("list.first", func() string {
		if it, ok := v.Model.At(0); ok {
			return words.DisplayTitle(it.Reg)
		}
		return ""
	})
	m.Fact("list.order", func() string {
		var titles []string
		for i := 0; i < min(v.Model.Len(), 50); i++ {
			it, _ := v.Model.At(i)
			titles = append(titles, words.DisplayTitle(it.Reg))
		}
		return strings.Join(titles, "|")
	})
	m.Fact("details.uid", func() string { return v.Details.UID() })
	m.Fact("details.message", func() string { return v.Details.Message.Text })
	m.Fact("add.urls", func() string { return v.Add.URLs.Text })
	m.Fact("add.error", func() string { return v.Add.Error.Text })
	m.Fact("language", func() string { return v.words.Lang() })
	v.List.OnBind = func(r *Row) {
		id := r.item.Reg.ID
		for name, o := range map[string]fyne.CanvasObject{"": r, ".pause": r.pause, ".resume": r.resume,
			".cancel": r.cancel, ".open": r.open, ".clear": r.clear, ".retry": r.retry} {
			m.Add("row."+id+name, o, win, r)
		}
	}
	v.Details.onFileRow = func(i int, r *fileRow) {
		for name, o := range map[string]fyne.CanvasObject{"": r, ".open": r.open, ".show": r.show, ".copy": r.copyAddr} {
			m.Add("details.file"+strconv.Itoa(i)+name, o, win, d, r)
		}
	}
}

func (v *View) rowActions() RowActions {
	actions := RowActions{
		Open:   v.Activate,
		Cancel: v.Cancel,
		Pause:  v.Pause,
		Resume: v.Resume,
		Clear:  v.Clear,
		Select: func(uid string) { v.List.SelectUID(uid) },
		Retry:  v.Retry,
	}
	if v.opts.Icons != nil {
		actions.Icon = func(r model.Registration) fyne.Resource {
			if res := v.opts.Icons.Resource(r); res != nil {
				return res
			}
			return v.opts.DefaultIcon
		}
	}
	return actions
}

func (v *View) detailsActions() DetailsActions {
	a := DetailsActions{
		Pause: v.Pause, Resume: v.Resume, Cancel: v.Cancel,
		OpenFile:     v.opts.OpenPath,
		ShowInFolder: v.showInFolder,
		Copy:         v.copy,
		Close:        func() { v.List.UnselectAll() },
		Retry:        v.Retry,
		SetPriority: func(uid string, p model.Priority) error {
			return v.update(uid, model.RegistrationPatch{Priority: &p})
		},
		SetLimit: func(uid string, n int64) error {
			return v.update(uid, model.RegistrationPatch{MaxBytesPerSecond: &n})
		},
	}
	return a
}

// Content is the window's content.
func (v *View) Content() fyne.CanvasObject { return v.content }

// Words is the language the view speaks.
func (v *View) Words() *words.Words { return v.words }

// Attach puts the view in w: content, keyboard, drop and paste.
func (v *View) Attach(w fyne.Window) {
	v.win = w
	w.SetContent(v.content)
	w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) { v.key(ev, v.List.Selected()) })
	w.Canvas().AddShortcut(&fyne.ShortcutPaste{}, func(fyne.Shortcut) { v.PasteFromClipboard() })
	w.Canvas().AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { w.Canvas().Focus(v.Search) })
	w.SetOnDropped(func(_ fyne.Position, items []fyne.URI) { v.Dropped(items) })
	v.Add.PickFolder = func(set func(string)) {
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
	sum, settled := v.Model.Summary()
	v.Summary.SetText(v.words.Summary(sum))
	shown, total := v.Model.Len(), v.Model.Total()
	switch {
	case total == 0:
		v.Empty.SetText(v.words.T("list.empty"))
	case shown == 0:
		v.Empty.SetText(v.words.T("list.noMatch", map[string]any{"Query": v.Search.Text}))
	}
	setVisible(v.Empty, shown == 0)
	if settled == 0 {
		v.ClearButton.Disable()
	} else {
		v.ClearButton.Enable()
	}
	setVisible(v.SettingsButton, v.OnSettings != nil)
	v.List.Resync()
	v.refreshDetails(false)
}

// selected shows the details of uid ("" hides them).
func (v *View) selected(uid string) {
	if uid == "" {
		v.Details.Hide()
		v.recordsFor = ""
		return
	}
	v.Details.Show()
	v.refreshDetails(true)
}

// refreshDetails fills the details pane from the model and, at most every
// recordsEvery (or at once when forced), the records.
func (v *View) refreshDetails(force bool) {
	uid := v.List.Selected()
	if uid == "" || !v.Details.Visible() {
		return
	}
	_, it, ok := v.Model.Find(uid)
	if !ok {
		return
	}
	now := time.Now()
	stale := now.Sub(v.recordsAt) >= recordsEvery && (it.Reg.Active() || v.Details.reg.Active())
	version := v.Model.Version()
	if !force && uid == v.recordsFor && !stale {
		if version != v.detailsVersion {
			v.detailsVersion = version
			v.Details.Set(it.Reg, recordsOf(v.Details.files), now)
		}
		return
	}
	v.detailsVersion = version
	recs, err := v.mgr.Records(uid)
	if err != nil {
		v.opts.Log.Debug("bgfetch: records", "uid", uid, "err", err)
	}
	v.recordsAt, v.recordsFor = now, uid
	v.Details.Set(it.Reg, recs, now)
}

func recordsOf(fs []FileInfo) []model.Record {
	out := make([]model.Record, len(fs))
	for i, f := range fs {
		out[i] = f.Rec
	}
	return out
}

// fileNames is what a search finds a fetch by besides its title, id and
// app: its files' names (not whole addresses: a port or a query would
// match every number typed).
func (v *View) fileNames(r model.Registration) string {
	recs, err := v.mgr.Records(r.UID)
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, rec := range recs {
		b.WriteString(FileName(rec, r.Destination))
		b.WriteByte('\n')
	}
	return b.String()
}

func (v *View) search(q string) {
	v.Model.SetQuery(q)
	v.redraw()
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
	case fyne.KeyEscape:
		v.List.UnselectAll()
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

func (v *View) showInFolder(p string) {
	if v.opts.ShowInFolder != nil {
		v.opts.ShowInFolder(p)
	} else if v.opts.OpenPath != nil {
		v.opts.OpenPath(filepath.Dir(p))
	}
}

func (v *View) copy(text string) {
	if app := fyne.CurrentApp(); app != nil {
		app.Clipboard().SetContent(text)
	}
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

// Retry starts a failed or cancelled fetch again (a new registration,
// selected in the list).
func (v *View) Retry(uid string) {
	reg, err := v.mgr.Retry(uid)
	if err != nil {
		v.fail("retry", uid, err)
		return
	}
	v.Model.Update(reg)
	v.redraw()
	v.List.SelectUID(reg.UID)
}

func (v *View) update(uid string, p model.RegistrationPatch) error {
	reg, err := v.mgr.Update(uid, p)
	if err != nil {
		v.opts.Log.Warn("bgfetch: update failed", "uid", uid, "err", err)
		return err
	}
	v.Model.Update(reg)
	v.redraw()
	return nil
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
		v.addDialog = dialog.NewCustomWithoutButtons(v.words.T("add.title"), v.Add, v.win)
		v.Add.OnDone = func() { v.addDialog.Hide() }
		v.addDialog.SetOnClosed(func() { v.addShown = false })
	}
	v.addShown = true
	if v.opts.DefaultFolder != nil && v.Add.Title.Text == "" && v.Add.Error.Hidden {
		// A fresh form saves to the folder of the settings as they are now.
		v.Add.Destination.SetText(v.opts.DefaultFolder())
	}
	v.addDialog.Resize(fyne.NewSize(560, 0))
	v.addDialog.Show()
	v.win.Canvas().Focus(v.Add.URLs)
}

// AddURLs opens the Add dialog with urls filled in (a drop or a paste).
func (v *View) AddURLs(urls []string) {
	v.Add.Fill(urls)
	v.ShowAdd()
}

// Dropped handles what was dropped on the window: links, or text files
// with links in them, open the Add dialog filled in.
func (v *View) Dropped(items []fyne.URI) {
	if urls := DroppedURLs(items); len(urls) > 0 {
		v.AddURLs(urls)
	}
}

// PasteFromClipboard is Ctrl+V outside a text field: the web addresses in
// the clipboard's text open the Add dialog filled in.
func (v *View) PasteFromClipboard() {
	app := fyne.CurrentApp()
	if app == nil {
		return
	}
	v.Paste(app.Clipboard().Content())
}

// Paste opens the Add dialog with the web addresses in text, or says
// there are none.
func (v *View) Paste(text string) {
	if urls := ExtractURLs(text); len(urls) > 0 {
		v.AddURLs(urls)
		return
	}
	if v.win != nil {
		dialog.ShowInformation(v.words.T("add.title"), v.words.T("paste.none"), v.win)
	}
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
