package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// BarHeight is the height of a row's progress bar, in Fyne units.
const BarHeight = 6

// Bar is a slim progress bar: a track and the part done, or, when the
// size is unknown, a segment that sweeps across while Running. The
// percentage is in the row's status line instead of on the bar.
//
// Fyne's widget.ProgressBar is a full text line high with rounded
// corners, and the software renderer colours each of its pixels with the
// rounded-rectangle shader: with a screenful of rows, frames took over
// 100 ms while scrolling (BenchmarkHistory); these bars take a sixth of
// the pixels.
type Bar struct {
	widget.BaseWidget

	Value float64 // 0 … 1
	// Indeterminate sweeps a segment instead of showing Value.
	Indeterminate bool

	track, fill *canvas.Rectangle
	anim        *fyne.Animation
	phase       float32
}

// NewBar makes an empty bar.
func NewBar() *Bar {
	b := &Bar{track: canvas.NewRectangle(color.Transparent), fill: canvas.NewRectangle(color.Transparent)}
	b.ExtendBaseWidget(b)
	return b
}

// SetValue shows the fraction done (nothing is redrawn when unchanged).
func (b *Bar) SetValue(v float64) {
	v = min(max(v, 0), 1)
	if v == b.Value && !b.Indeterminate {
		return
	}
	b.Value, b.Indeterminate = v, false
	b.stop()
	b.Refresh()
}

// SetIndeterminate shows a sweeping segment: bytes flow, the size is
// unknown.
func (b *Bar) SetIndeterminate() {
	if b.Indeterminate {
		return
	}
	b.Indeterminate = true
	if b.anim == nil {
		b.anim = fyne.NewAnimation(1500*time.Millisecond, func(p float32) {
			b.phase = p
			b.layout(b.Size())
		})
		b.anim.RepeatCount = fyne.AnimationRepeatForever
		b.anim.AutoReverse = true
	}
	b.anim.Start()
	b.Refresh()
}

// Running reports whether the segment sweeps.
func (b *Bar) Running() bool { return b.Indeterminate }

func (b *Bar) stop() {
	if b.anim != nil {
		b.anim.Stop()
	}
}

// Hide stops the sweep of a hidden bar.
func (b *Bar) Hide() {
	b.stop()
	b.Indeterminate = false
	b.BaseWidget.Hide()
}

// CreateRenderer implements fyne.Widget.
func (b *Bar) CreateRenderer() fyne.WidgetRenderer { return &barRenderer{b: b} }

func (b *Bar) layout(size fyne.Size) {
	b.track.Resize(size)
	if b.Indeterminate {
		w := size.Width / 4
		b.fill.Move(fyne.NewPos(b.phase*(size.Width-w), 0))
		b.fill.Resize(fyne.NewSize(w, size.Height))
	} else {
		b.fill.Move(fyne.NewPos(0, 0))
		b.fill.Resize(fyne.NewSize(size.Width*float32(b.Value), size.Height))
	}
	canvas.Refresh(b.fill)
}

type barRenderer struct{ b *Bar }

func (r *barRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.b.track, r.b.fill} }
func (r *barRenderer) Destroy()                     { r.b.stop() }
func (r *barRenderer) MinSize() fyne.Size           { return fyne.NewSize(BarHeight*4, BarHeight) }
func (r *barRenderer) Layout(size fyne.Size)        { r.b.layout(size) }

func (r *barRenderer) Refresh() {
	b := r.b
	th := b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	b.track.FillColor = th.Color(theme.ColorNameInputBackground, v)
	b.fill.FillColor = th.Color(theme.ColorNamePrimary, v)
	b.track.CornerRadius = BarHeight / 2
	b.fill.CornerRadius = BarHeight / 2
	b.track.Refresh()
	b.layout(b.Size())
}
