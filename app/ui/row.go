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
	uid     string
	item    Item

	icon     *canvas.Image
	title    *widget.Label
	app      *widget.Label
	progress *widget.ProgressBar
	activity *widget.ProgressBarInfinite
	status   *widget.Label

	pause, resume, cancel, open, clear *widget.Button

	content fyne.CanvasObject
}

// NewRow builds an empty row; Set fills it.
func NewRow(actions RowActions, defaultIcon fyne.Resource) *Row {
	r := &Row{actions: actions}
	r.icon = canvas.NewImageFromResource(defaultIcon)
	r.icon.FillMode = canvas.ImageFillContain
	r.icon.SetMinSize(fyne.NewSquareSize(IconSize))
	r.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.title.Truncation = fyne.TextTruncateEllipsis
	r.app = widget.NewLabel("")
	r.app.SizeName = theme.SizeNameCaptionText
	r.app.Alignment = fyne.TextAlignTrailing
	r.progress = widget.NewProgressBar()
	r.activity = widget.NewProgressBarInfinite()
	r.activity.Hide()
	r.activity.Stop()
	r.status = widget.NewLabel("")
	r.status.Truncation = fyne.TextTruncateEllipsis

	r.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), func() { r.call(r.actions.Pause) })
	r.resume = widget.NewButtonWithIcon("Resume", theme.MediaPlayIcon(), func() { r.call(r.actions.Resume) })
	r.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() { r.call(r.actions.Cancel) })
	r.cancel.Importance = widget.DangerImportance
	r.open = widget.NewButtonWithIcon("Open", theme.FolderOpenIcon(), func() { r.call(r.actions.Open) })
	r.clear = widget.NewButtonWithIcon("Clear", theme.DeleteIcon(), func() { r.call(r.actions.Clear) })

	buttons := container.NewHBox(r.pause, r.resume, r.open, r.clear, r.cancel)
	bars := container.NewStack(r.progress, r.activity)
	text := container.New(layout.NewCustomPaddedVBoxLayout(0),
		container.NewBorder(nil, nil, nil, r.app, r.title),
		bars,
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
	// An activity bar only while bytes flow with no size known; otherwise
	// a plain bar (without a percentage when the size is unknown).
	if known || reg.State != model.StateRunning || !reg.Active() {
		if r.activity.Visible() {
			r.activity.Stop()
			r.activity.Hide()
		}
		if known {
			r.progress.TextFormatter = nil
		} else {
			frac = 0
			r.progress.TextFormatter = func() string { return "" }
		}
		r.progress.Show()
		r.progress.SetValue(frac)
		r.progress.Refresh()
	} else {
		r.progress.Hide()
		if !r.activity.Visible() {
			r.activity.Show()
		}
		if !r.activity.Running() {
			r.activity.Start()
		}
	}

	r.status.SetText(StatusLine(it))
	switch {
	case !reg.Active() && reg.Result == model.ResultFailure && reg.FailureReason != model.ReasonAborted:
		r.status.Importance = widget.DangerImportance
	default:
		r.status.Importance = widget.MediumImportance
	}
	r.status.Refresh()

	active := reg.Active()
	setVisible(r.cancel, active)
	setVisible(r.pause, active && reg.AllGET && reg.State != model.StatePaused)
	setVisible(r.resume, active && reg.AllGET && reg.State == model.StatePaused)
	setVisible(r.open, true)
	setVisible(r.clear, !active)
}

// StatusLine is the row's last line: amounts, speed, time left, state.
func StatusLine(it Item) string {
	reg := it.Reg
	parts := []string{}
	if reg.Active() {
		parts = append(parts, words.Amount(reg))
		if reg.State == model.StateRunning {
			if s := words.Speed(it.Speed); s != "" {
				parts = append(parts, s)
			}
			if e := words.ETA(reg, it.Speed); e != "" {
				parts = append(parts, e)
			}
		}
	} else if reg.Downloaded > 0 && reg.FailureReason != model.ReasonBadStatus {
		parts = append(parts, words.Bytes(reg.Downloaded))
	}
	parts = append(parts, words.StateWords(reg))
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
