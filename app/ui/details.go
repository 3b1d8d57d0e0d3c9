package ui

import (
	"errors"
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// DetailsActions are what the details pane's buttons do.
type DetailsActions struct {
	Pause, Resume, Cancel, Retry func(uid string) // Retry nil: no Retry button
	// OpenFile opens a file with the desktop's program for it,
	// ShowInFolder shows it in the file manager, Copy puts text on the
	// clipboard.
	OpenFile, ShowInFolder, Copy func(string)
	// SetPriority and SetLimit change a fetch live (Manager.Update); nil
	// leaves the control out.
	SetPriority func(uid string, p model.Priority) error
	SetLimit    func(uid string, bytesPerSecond int64) error
	// Close hides the pane.
	Close func()
}

// FileInfo is one file of a fetch as the pane lists it: the record and
// its measured speed.
type FileInfo struct {
	Rec   model.Record
	Speed float64
	// Final: the fetch succeeded, so the file is where it stays (until
	// then a body has a name of bgfetch's own in the data dir).
	Final bool
	// Destination is the folder the fetch's files are moved to ("" for
	// an app's fetch: they stay in the data dir, for the app).
	Destination string
}

// Details is the pane under the list that shows the selected fetch: its
// title and facts, the controls that apply to it (pause or resume,
// cancel, retry, priority, speed limit) and the list of its files, each
// with its size, progress, state, HTTP status or error, speed, and Open,
// Show in folder and Copy address.
type Details struct {
	widget.BaseWidget

	words *words.Words
	act   DetailsActions
	uid   string
	reg   model.Registration
	files []FileInfo

	speeds  map[int]speedSample
	speedOf string // the uid the samples are of

	Title, Facts                 *TextLine
	Message                      *widget.Label
	Pause, Resume, Cancel, Retry *Button
	CloseButton                  *Button
	Priority                     *widget.Select
	Limit                        *widget.Entry
	LimitApply                   *Button
	Files                        *widget.List

	priorities []model.Priority
	content    fyne.CanvasObject
	onFileRow  func(i int, r *fileRow) // for the UI map
	setting    bool                    // Set is filling the controls: their callbacks do nothing
}

// NewDetails builds an empty pane in the language of w.
func NewDetails(w *words.Words, act DetailsActions) *Details {
	if w == nil {
		w = words.English
	}
	d := &Details{words: w, act: act, speeds: map[int]speedSample{}}
	d.Title = NewTextLine(theme.SizeNameSubHeadingText) // regular weight (see Button)
	d.Facts = NewTextLine(theme.SizeNameCaptionText)
	d.Message = widget.NewLabel("")
	d.Message.Importance = widget.DangerImportance
	d.Message.Wrapping = fyne.TextWrapWord
	d.Message.Hide()

	d.Pause = NewButton(w.T("row.pause"), theme.MediaPauseIcon(), func() { d.call(act.Pause) })
	d.Resume = NewButton(w.T("row.resume"), theme.MediaPlayIcon(), func() { d.call(act.Resume) })
	d.Cancel = NewButton(w.T("row.cancel"), theme.CancelIcon(), func() { d.call(act.Cancel) })
	d.Cancel.Importance = widget.DangerImportance
	d.Retry = NewButton(w.T("row.retry"), theme.ViewRefreshIcon(), func() { d.call(act.Retry) })
	d.CloseButton = NewButton("", theme.WindowCloseIcon(), func() {
		if act.Close != nil {
			act.Close()
		}
	})
	d.CloseButton.Importance = widget.LowImportance

	d.priorities = []model.Priority{model.PriorityHigh, model.PriorityNormal, model.PriorityLow}
	var names []string
	for _, p := range d.priorities {
		names = append(names, w.T("priority."+string(p)))
	}
	d.Priority = widget.NewSelect(names, d.priorityChosen)
	d.Limit = widget.NewEntry()
	d.Limit.SetPlaceHolder(w.T("details.limitHint"))
	d.Limit.OnSubmitted = func(string) { d.applyLimit() }
	d.LimitApply = NewButton(w.T("details.apply"), nil, d.applyLimit)

	d.Files = widget.NewList(
		func() int { return len(d.files) },
		func() fyne.CanvasObject { return newFileRow(d) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			if i < len(d.files) {
				o.(*fileRow).set(d.files[i])
				if d.onFileRow != nil {
					d.onFileRow(i, o.(*fileRow))
				}
			}
		})

	controls := container.NewHBox(d.Pause, d.Resume, d.Retry, d.Cancel)
	if act.SetPriority != nil {
		controls.Add(widget.NewLabel(w.T("details.priority")))
		controls.Add(d.Priority)
	}
	if act.SetLimit != nil {
		controls.Add(widget.NewLabel(w.T("details.limit")))
		controls.Add(container.NewGridWrap(fyne.NewSize(240, d.Limit.MinSize().Height), d.Limit))
		controls.Add(d.LimitApply)
	}
	head := container.NewBorder(nil, nil, nil, d.CloseButton,
		container.New(layout.NewCustomPaddedVBoxLayout(0), d.Title, d.Facts))
	d.content = container.NewBorder(
		container.NewVBox(head, controls, d.Message, widget.NewSeparator()),
		nil, nil, nil, d.Files)
	d.ExtendBaseWidget(d)
	return d
}

// CreateRenderer implements fyne.Widget.
func (d *Details) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(d.content)
}

// UID is the fetch shown, "" when none.
func (d *Details) UID() string { return d.uid }

func (d *Details) call(f func(string)) {
	if f != nil && d.uid != "" {
		f(d.uid)
	}
}

// Set shows reg and its records (measuring each file's speed against the
// last call). Call it on the UI goroutine.
func (d *Details) Set(reg model.Registration, recs []model.Record, now time.Time) {
	if reg.UID != d.uid {
		d.Message.Hide()
		d.Limit.SetText(limitText(reg.MaxBytesPerSecond))
	}
	d.uid, d.reg = reg.UID, reg
	d.files = d.measure(reg.UID, recs, now)
	w := d.words

	d.Title.SetText(words.DisplayTitle(reg) + " — " + w.State(reg))
	d.Facts.SetText(d.facts(reg, now))
	active := reg.Active()
	setVisible(d.Cancel, active)
	setVisible(d.Pause, active && reg.AllGET && reg.State != model.StatePaused)
	setVisible(d.Resume, active && reg.AllGET && reg.State == model.StatePaused)
	setVisible(d.Retry, Retryable(reg) && d.act.Retry != nil)

	d.setting = true
	for i, p := range d.priorities {
		if p == reg.Priority || reg.Priority == "" && p == model.PriorityNormal {
			d.Priority.SetSelectedIndex(i)
		}
	}
	d.setting = false
	if active {
		d.Priority.Enable()
		d.Limit.Enable()
		d.LimitApply.Enable()
	} else {
		d.Priority.Disable()
		d.Limit.Disable()
		d.LimitApply.Disable()
	}
	d.Files.Refresh()
}

func (d *Details) facts(reg model.Registration, now time.Time) string {
	w := d.words
	parts := []string{w.N("details.files", len(d.files))}
	if reg.Active() || reg.Downloaded > 0 {
		parts = append(parts, w.Amount(reg))
	}
	if reg.App != "" {
		parts = append(parts, w.T("details.app", map[string]any{"App": reg.App}))
	}
	if !reg.CreatedAt.IsZero() {
		parts = append(parts, w.T("details.added", map[string]any{"When": w.When(reg.CreatedAt, now)}))
	}
	if reg.SettledAt != nil {
		parts = append(parts, w.T("details.finished", map[string]any{"When": w.When(*reg.SettledAt, now)}))
	}
	if reg.Destination != "" {
		parts = append(parts, w.T("details.destination", map[string]any{"Path": reg.Destination}))
	}
	if reg.RetryOf != "" {
		parts = append(parts, w.T("details.retryOf"))
	}
	return strings.Join(parts, " · ")
}

// measure pairs each record with its speed since the last call.
func (d *Details) measure(uid string, recs []model.Record, now time.Time) []FileInfo {
	if uid != d.speedOf {
		clear(d.speeds)
		d.speedOf = uid
	}
	out := make([]FileInfo, len(recs))
	final := d.reg.Result == model.ResultSuccess
	for i, r := range recs {
		out[i].Rec, out[i].Final, out[i].Destination = r, final, d.reg.Destination
		if r.State != model.RecordRunning {
			delete(d.speeds, r.Index)
			continue
		}
		s, ok := d.speeds[r.Index]
		if !ok || r.Downloaded < s.downloaded {
			d.speeds[r.Index] = speedSample{at: now, downloaded: r.Downloaded}
			continue
		}
		dt := now.Sub(s.at).Seconds()
		if dt < 0.4 {
			out[i].Speed = s.speed
			continue
		}
		v := float64(r.Downloaded-s.downloaded) / dt
		if s.speed > 0 {
			v = 0.4*v + 0.6*s.speed
		}
		d.speeds[r.Index] = speedSample{at: now, downloaded: r.Downloaded, speed: v}
		out[i].Speed = v
	}
	return out
}

// FileAt is the file shown in row i (for tests).
func (d *Details) FileAt(i int) (FileInfo, bool) {
	if i < 0 || i >= len(d.files) {
		return FileInfo{}, false
	}
	return d.files[i], true
}

func (d *Details) priorityChosen(string) {
	if d.setting || d.uid == "" || d.act.SetPriority == nil {
		return
	}
	i := d.Priority.SelectedIndex()
	if i < 0 || i >= len(d.priorities) {
		return
	}
	d.showError(d.act.SetPriority(d.uid, d.priorities[i]))
}

func (d *Details) applyLimit() {
	if d.uid == "" || d.act.SetLimit == nil {
		return
	}
	n, err := ParseRate(d.words, d.Limit.Text)
	if err != nil {
		d.showError(err)
		return
	}
	d.showError(d.act.SetLimit(d.uid, n))
}

func (d *Details) showError(err error) {
	if err == nil {
		d.Message.Hide()
		return
	}
	d.Message.SetText(err.Error())
	d.Message.Show()
}

// limitText is how the limit entry shows a limit: "" for none.
func limitText(bps int64) string {
	if bps <= 0 {
		return ""
	}
	return FormatRate(bps)
}

// FileName is what the pane calls a file: the name it was saved under in
// the fetch's destination folder (dest; elsewhere, and before the move, a
// body has a name of bgfetch's own in the data dir), else the last part
// of its address, else the address.
func FileName(r model.Record, dest string) string {
	if dest != "" && r.Response != nil && r.Response.Path != "" && filepath.Dir(r.Response.Path) == filepath.Clean(dest) {
		return filepath.Base(r.Response.Path)
	}
	if u, err := url.Parse(r.Request.URL); err == nil {
		if b := path.Base(u.Path); b != "" && b != "/" && b != "." {
			if s, err := url.PathUnescape(b); err == nil {
				return s
			}
			return b
		}
	}
	return r.Request.URL
}

// fileRow is one file in the details pane.
type fileRow struct {
	widget.BaseWidget
	d    *Details
	info FileInfo

	name, status, problem *TextLine
	bar                   *Bar
	open, show, copyAddr  *Button
	content               fyne.CanvasObject
}

func newFileRow(d *Details) *fileRow {
	w := d.words
	r := &fileRow{d: d}
	r.name = NewTextLine("")
	r.status = NewTextLine(theme.SizeNameCaptionText)
	r.problem = NewTextLine(theme.SizeNameCaptionText)
	r.problem.Importance = widget.DangerImportance
	r.bar = NewBar()
	r.open = NewButton(w.T("details.file.open"), theme.FileIcon(), func() { r.pathAction(d.act.OpenFile) })
	r.show = NewButton(w.T("details.file.showInFolder"), theme.FolderOpenIcon(), func() { r.pathAction(d.act.ShowInFolder) })
	r.copyAddr = NewButton(w.T("details.file.copy"), theme.ContentCopyIcon(), func() {
		if d.act.Copy != nil && r.info.Rec.Request.URL != "" {
			d.act.Copy(r.info.Rec.Request.URL)
		}
	})
	// A bar, then the name over the facts (and an error, if any).
	bar := container.NewCenter(container.NewGridWrap(fyne.NewSize(110, BarHeight), r.bar))
	text := container.New(layout.NewCustomPaddedVBoxLayout(0), r.name, r.status, r.problem)
	r.content = container.NewBorder(nil, nil, bar,
		container.NewCenter(container.NewHBox(r.open, r.show, r.copyAddr)), text)
	r.ExtendBaseWidget(r)
	return r
}

func (r *fileRow) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(r.content) }

func (r *fileRow) pathAction(f func(string)) {
	if f == nil || r.info.Rec.Response == nil || r.info.Rec.Response.Path == "" {
		return
	}
	f(r.info.Rec.Response.Path)
}

func (r *fileRow) set(fi FileInfo) {
	r.info = fi
	rec := fi.Rec
	w := r.d.words
	r.name.SetText(FileName(rec, fi.Destination))
	total := rec.Total
	if rec.Response != nil && rec.Response.Size > total {
		total = rec.Response.Size
	}
	switch {
	case rec.State == model.RecordSuccess:
		r.bar.SetValue(1)
	case total > 0:
		r.bar.SetValue(min(1, float64(rec.Downloaded)/float64(total)))
	default:
		r.bar.SetValue(0)
	}
	r.status.SetText(FileStatus(w, fi))
	r.problem.SetText(rec.Error)
	setVisible(r.problem, rec.Error != "")
	onDisk := fi.Final && rec.Response != nil && rec.Response.Path != "" && rec.State == model.RecordSuccess
	setEnabled(r.open, onDisk)
	setEnabled(r.show, onDisk)
}

// FileStatus is a file's line: its size (done of total), state, HTTP
// status and speed, in the language of w.
func FileStatus(w *words.Words, fi FileInfo) string {
	rec := fi.Rec
	var parts []string
	total := rec.Total
	if rec.Response != nil && rec.Response.Size > total {
		total = rec.Response.Size
	}
	switch {
	case rec.State == model.RecordSuccess && total > 0:
		parts = append(parts, w.Bytes(total))
	case total > 0:
		parts = append(parts, w.T("amount.of", map[string]any{"Done": w.Bytes(rec.Downloaded), "Total": w.Bytes(total)}))
	case rec.Downloaded > 0:
		parts = append(parts, w.Bytes(rec.Downloaded))
	}
	parts = append(parts, w.T("record."+string(rec.State)))
	if rec.Response != nil && rec.Response.Status != 0 {
		parts = append(parts, "HTTP "+strconv.Itoa(rec.Response.Status))
	}
	if s := w.Speed(fi.Speed); s != "" && rec.State == model.RecordRunning {
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

func setEnabled(b *Button, on bool) {
	if on && b.Disabled() {
		b.Enable()
	} else if !on && !b.Disabled() {
		b.Disable()
	}
}

// errText makes a plain error of a message.
func errText(s string) error { return errors.New(s) }
