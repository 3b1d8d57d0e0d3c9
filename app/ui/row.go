package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// IconSize is the side of a row's icon, in Fyne units.
const IconSize = 48

// RowActions are what a row's buttons and activation do. Each gets the
// registration's uid.
type RowActions struct {
	Open   func(uid string) // activate: double-click or the Open button (Manager.Click)
	Cancel func(uid string) // Manager.Abort
	Pause  func(uid string)
	Resume func(uid string)
	Clear  func(uid string) // Manager.Forget
	// Retry starts a failed or cancelled fetch again (Manager.Retry); nil
	// leaves the button out.
	Retry func(uid string)
	// Select is called when the row is tapped once (the list selects it).
	Select func(uid string)
	// Icon returns the icon to show for a registration (nil: the default).
	Icon func(r model.Registration) fyne.Resource
}

// Row is one fetch in the list: icon, title, app name, progress, amounts,
// speed, time left, the state in words and the buttons that apply.
type Row struct {
	widget.BaseWidget

	actions RowActions
	words   *words.Words
	uid     string
	item    Item

	icon   *canvas.Image
	title  *TextLine
	app    *TextLine
	bar    *Bar
	status *TextLine

	pause, resume, cancel, open, clear, retry *Button

	content fyne.CanvasObject
}

// NewRow builds an empty row in the language of w (nil: English); Set
// fills it.
func NewRow(actions RowActions, defaultIcon fyne.Resource, w *words.Words) *Row {
	if w == nil {
		w = words.English
	}
	r := &Row{actions: actions, words: w}
	r.icon = canvas.NewImageFromResource(defaultIcon)
	r.icon.FillMode = canvas.ImageFillContain
	r.icon.SetMinSize(fyne.NewSquareSize(IconSize))
	// A title of regular weight, a size up: no bold text in the window
	// (see Button).
	r.title = NewTextLine(theme.SizeNameSubHeadingText)
	r.app = NewTextLine(theme.SizeNameCaptionText)
	r.app.Alignment = fyne.TextAlignTrailing
	r.app.Whole = true
	r.bar = NewBar()
	r.status = NewTextLine("")

	r.pause = NewButton(w.T("row.pause"), theme.MediaPauseIcon(), func() { r.call(r.actions.Pause) })
	r.resume = NewButton(w.T("row.resume"), theme.MediaPlayIcon(), func() { r.call(r.actions.Resume) })
	r.cancel = NewButton(w.T("row.cancel"), theme.CancelIcon(), func() { r.call(r.actions.Cancel) })
	r.cancel.Importance = widget.DangerImportance
	r.open = NewButton(w.T("row.open"), theme.FolderOpenIcon(), func() { r.call(r.actions.Open) })
	r.clear = NewButton(w.T("row.clear"), theme.DeleteIcon(), func() { r.call(r.actions.Clear) })
	r.retry = NewButton(w.T("row.retry"), theme.ViewRefreshIcon(), func() { r.call(r.actions.Retry) })

	buttons := container.NewHBox(r.pause, r.resume, r.retry, r.open, r.clear, r.cancel)
	text := container.New(layout.NewCustomPaddedVBoxLayout(2),
		container.NewBorder(nil, nil, nil, r.app, r.title),
		container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding(), theme.InnerPadding()), r.bar),
		r.status,
	)
	r.content = container.NewBorder(nil, nil,
		container.NewCenter(r.icon),
		container.NewCenter(buttons),
		text)
	r.ExtendBaseWidget(r)
	r.Set(Item{})
	return r
}

func (r *Row) call(f func(string)) {
	if f != nil && r.uid != "" {
		f(r.uid)
	}
}

// CreateRenderer implements fyne.Widget.
func (r *Row) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// Tapped selects the row.
func (r *Row) Tapped(*fyne.PointEvent) { r.call(r.actions.Select) }

// DoubleTapped activates the row (Manager.Click).
func (r *Row) DoubleTapped(*fyne.PointEvent) { r.call(r.actions.Open) }

// UID is the registration the row shows.
func (r *Row) UID() string { return r.uid }

// Set shows it in the row. Call it on the UI goroutine.
func (r *Row) Set(it Item) {
	r.item = it
	reg := it.Reg
	r.uid = reg.UID

	if r.actions.Icon != nil && reg.UID != "" {
		if res := r.actions.Icon(reg); res != nil && r.icon.Resource != res {
			r.icon.Resource = res
			r.icon.Refresh()
		}
	}
	r.title.SetText(words.DisplayTitle(reg))
	r.app.SetText(shorten(reg.App, 40))

	frac, known := words.Fraction(reg)
	if reg.FailureReason == model.ReasonBadStatus {
		frac, known = 0, false // the bytes were an error page, not progress
	}
	// A sweeping bar only while bytes flow with no size known; otherwise
	// the part done (empty when the size is unknown).
	if known || reg.State != model.StateRunning || !reg.Active() {
		if !known {
			frac = 0
		}
		r.bar.SetValue(frac)
	} else {
		r.bar.SetIndeterminate()
	}

	r.status.SetText(StatusLine(r.words, it))
	if !reg.Active() && reg.Result == model.ResultFailure && reg.FailureReason != model.ReasonAborted {
		r.status.SetImportance(widget.DangerImportance)
	} else {
		r.status.SetImportance(widget.MediumImportance)
	}

	active := reg.Active()
	setVisible(r.cancel, active)
	setVisible(r.pause, active && reg.AllGET && reg.State != model.StatePaused)
	setVisible(r.resume, active && reg.AllGET && reg.State == model.StatePaused)
	setVisible(r.open, true)
	setVisible(r.clear, !active)
	setVisible(r.retry, Retryable(reg) && r.actions.Retry != nil)
}

// Retryable reports whether Retry applies: a fetch that settled as a
// failure, cancelled ones included (api.md).
func Retryable(r model.Registration) bool {
	return !r.Active() && r.Result == model.ResultFailure
}

// StatusLine is the row's last line in the language of w: amounts,
// speed, time left, state.
func StatusLine(w *words.Words, it Item) string {
	if w == nil {
		w = words.English
	}
	reg := it.Reg
	parts := []string{}
	if reg.Active() {
		amount := w.Amount(reg)
		if p, ok := words.Percent(reg); ok && reg.FailureReason != model.ReasonBadStatus {
			amount += " (" + w.Percent(p) + ")"
		}
		parts = append(parts, amount)
		if reg.State == model.StateRunning {
			if s := w.Speed(it.Speed); s != "" {
				parts = append(parts, s)
			}
			if e := w.ETA(reg, it.Speed); e != "" {
				parts = append(parts, e)
			}
		}
	} else if reg.Downloaded > 0 && reg.FailureReason != model.ReasonBadStatus {
		parts = append(parts, w.Bytes(reg.Downloaded))
	}
	parts = append(parts, w.State(reg))
	return strings.Join(parts, " · ")
}

func setVisible(o fyne.CanvasObject, v bool) {
	if v && !o.Visible() {
		o.Show()
	} else if !v && o.Visible() {
		o.Hide()
	}
}

// shorten cuts s to n runes with an ellipsis.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
