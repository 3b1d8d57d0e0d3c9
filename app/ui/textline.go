package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// TextLine is one line of text cut with an ellipsis to its width: the
// rows' title, app and status. It is a single canvas.Text, where a
// widget.Label is a RichText laying out segments on every change; a list
// that binds rows while it scrolls feels the difference (BenchmarkHistory).
type TextLine struct {
	widget.BaseWidget

	Text       string
	SizeName   fyne.ThemeSizeName // default theme.SizeNameText
	Alignment  fyne.TextAlign
	Importance widget.Importance // Danger draws it in the error colour
	// Whole asks for room for the whole text (MinSize is its width), for
	// a line beside others in a Border.
	Whole bool

	text *canvas.Text
}

// NewTextLine makes a line of text of the size sizeName ("" for the
// normal text size).
func NewTextLine(sizeName fyne.ThemeSizeName) *TextLine {
	t := &TextLine{SizeName: sizeName, text: canvas.NewText("", nil)}
	t.ExtendBaseWidget(t)
	return t
}

// SetText changes the text (nothing is redrawn when it is the same).
func (t *TextLine) SetText(s string) {
	if s == t.Text {
		return
	}
	t.Text = s
	t.Refresh()
}

// SetImportance changes the colour (Danger: the error colour).
func (t *TextLine) SetImportance(i widget.Importance) {
	if i == t.Importance {
		return
	}
	t.Importance = i
	t.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (t *TextLine) CreateRenderer() fyne.WidgetRenderer {
	r := &textLineRenderer{t: t}
	r.Refresh()
	return r
}

type textLineRenderer struct {
	t     *TextLine
	shown string // the text as it fits the last width
	width float32
}

func (r *textLineRenderer) size() float32 {
	name := r.t.SizeName
	if name == "" {
		name = theme.SizeNameText
	}
	return r.t.Theme().Size(name)
}

func (r *textLineRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.t.text} }
func (r *textLineRenderer) Destroy()                     {}

// MinSize is one line high and as narrow as an ellipsis (the line gives
// way to its neighbours and cuts its text instead), or as wide as the
// text when Whole.
func (r *textLineRenderer) MinSize() fyne.Size {
	pad := r.t.Theme().Size(theme.SizeNameInnerPadding)
	h := fyne.MeasureText("Ag", r.size(), fyne.TextStyle{}).Height
	w := fyne.MeasureText("…", r.size(), fyne.TextStyle{}).Width
	if r.t.Whole {
		w = fyne.MeasureText(r.t.Text, r.size(), fyne.TextStyle{}).Width
	}
	return fyne.NewSize(w+2*pad, h+pad)
}

func (r *textLineRenderer) Layout(size fyne.Size) {
	pad := r.t.Theme().Size(theme.SizeNameInnerPadding)
	r.width = size.Width - 2*pad
	r.fit()
	text := r.t.text
	text.Move(fyne.NewPos(pad, pad/2))
	text.Resize(fyne.NewSize(r.width, size.Height-pad))
}

// fit cuts the text to the width: the longest prefix that fits with an
// ellipsis after it, found by halving (each measure is cached by Fyne).
func (r *textLineRenderer) fit() {
	full, size := r.t.Text, r.size()
	shown := full
	if r.width > 0 && fyne.MeasureText(full, size, fyne.TextStyle{}).Width > r.width {
		runes := []rune(full)
		lo, hi := 0, len(runes)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if fyne.MeasureText(string(runes[:mid])+"…", size, fyne.TextStyle{}).Width <= r.width {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		shown = string(runes[:lo]) + "…"
	}
	if shown != r.shown || r.t.text.Text != shown {
		r.shown = shown
		r.t.text.Text = shown
		r.t.text.Refresh()
	}
}

func (r *textLineRenderer) Refresh() {
	t := r.t
	th := t.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	color := theme.ColorNameForeground
	if t.Importance == widget.DangerImportance {
		color = theme.ColorNameError
	}
	t.text.Color = th.Color(color, v)
	t.text.TextSize = r.size()
	t.text.Alignment = t.Alignment
	r.fit()
	t.text.Refresh()
}
