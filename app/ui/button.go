package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Button is the window's button: an icon and a label of regular weight on
// a rounded background in the colour of its importance, with hover, focus
// (Space or Return presses it) and a disabled look, as Fyne's.
//
// It exists for memory: Fyne's widget.Button draws its label bold, and the
// first bold text makes Fyne parse a second pair of font files (its bold
// Noto Sans and the system's bold sans-serif, about 4 MiB of heap that
// stays; BenchmarkRSS). With these buttons and regular-weight titles, the
// window draws no bold text at all; only the dialogs' forms do, when one
// is opened.
type Button struct {
	widget.DisableableWidget

	Text       string
	Icon       fyne.Resource
	Importance widget.Importance
	OnTapped   func()

	hovered, focused bool
}

var (
	_ fyne.Tappable     = (*Button)(nil)
	_ fyne.Focusable    = (*Button)(nil)
	_ desktop.Hoverable = (*Button)(nil)
)

// NewButton makes a button with a label, an icon (nil for none) and what
// a tap does.
func NewButton(text string, icon fyne.Resource, tapped func()) *Button {
	b := &Button{Text: text, Icon: icon, OnTapped: tapped}
	b.ExtendBaseWidget(b)
	return b
}

// SetText changes the label.
func (b *Button) SetText(s string) {
	b.Text = s
	b.Refresh()
}

// Tapped runs OnTapped unless the button is disabled.
func (b *Button) Tapped(*fyne.PointEvent) {
	if !b.Disabled() && b.OnTapped != nil {
		b.OnTapped()
	}
}

// MouseIn implements desktop.Hoverable.
func (b *Button) MouseIn(*desktop.MouseEvent) { b.hovered = true; b.Refresh() }

// MouseMoved implements desktop.Hoverable.
func (b *Button) MouseMoved(*desktop.MouseEvent) {}

// MouseOut implements desktop.Hoverable.
func (b *Button) MouseOut() { b.hovered = false; b.Refresh() }

// FocusGained implements fyne.Focusable.
func (b *Button) FocusGained() { b.focused = true; b.Refresh() }

// FocusLost implements fyne.Focusable.
func (b *Button) FocusLost() { b.focused = false; b.Refresh() }

// TypedRune implements fyne.Focusable.
func (b *Button) TypedRune(rune) {}

// TypedKey presses the focused button on Space or Return.
func (b *Button) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeySpace, fyne.KeyReturn, fyne.KeyEnter:
		b.Tapped(nil)
	}
}

// CreateRenderer implements fyne.Widget.
func (b *Button) CreateRenderer() fyne.WidgetRenderer {
	r := &buttonRenderer{b: b, bg: canvas.NewRectangle(color.Transparent), label: canvas.NewText("", nil)}
	r.icon = canvas.NewImageFromResource(nil)
	r.icon.FillMode = canvas.ImageFillContain
	r.Refresh()
	return r
}

type buttonRenderer struct {
	b     *Button
	bg    *canvas.Rectangle
	icon  *canvas.Image
	label *canvas.Text
}

func (r *buttonRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.label}
}

func (r *buttonRenderer) Destroy() {}

func (r *buttonRenderer) iconSize() float32 {
	if r.b.Icon == nil {
		return 0
	}
	return r.b.Theme().Size(theme.SizeNameInlineIcon)
}

func (r *buttonRenderer) MinSize() fyne.Size {
	th := r.b.Theme()
	pad := th.Size(theme.SizeNameInnerPadding)
	text := fyne.Size{}
	if r.b.Text != "" {
		text = fyne.MeasureText(r.b.Text, th.Size(theme.SizeNameText), fyne.TextStyle{})
	}
	icon := r.iconSize()
	w := text.Width + icon
	if icon > 0 && text.Width > 0 {
		w += th.Size(theme.SizeNamePadding)
	}
	return fyne.NewSize(w+2*pad, fyne.Max(text.Height, icon)+2*pad)
}

func (r *buttonRenderer) Layout(size fyne.Size) {
	th := r.b.Theme()
	r.bg.Resize(size)
	min := r.MinSize()
	pad := th.Size(theme.SizeNameInnerPadding)
	x := (size.Width-min.Width)/2 + pad
	icon := r.iconSize()
	if icon > 0 {
		r.icon.Move(fyne.NewPos(x, (size.Height-icon)/2))
		r.icon.Resize(fyne.NewSquareSize(icon))
		x += icon
		if r.b.Text != "" {
			x += th.Size(theme.SizeNamePadding)
		}
	}
	text := r.label.MinSize()
	r.label.Move(fyne.NewPos(x, (size.Height-text.Height)/2))
	r.label.Resize(text)
}

// colors are the button's foreground and background colour names, as
// Fyne's button picks them.
func (r *buttonRenderer) colors() (fg, bg fyne.ThemeColorName) {
	b := r.b
	if b.Disabled() {
		if b.Importance == widget.LowImportance {
			return theme.ColorNameDisabled, ""
		}
		return theme.ColorNameDisabled, theme.ColorNameDisabledButton
	}
	switch b.Importance {
	case widget.DangerImportance:
		return theme.ColorNameForegroundOnError, theme.ColorNameError
	case widget.HighImportance:
		return theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary
	case widget.SuccessImportance:
		return theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess
	case widget.LowImportance:
		if b.hovered || b.focused {
			return theme.ColorNameForeground, theme.ColorNameButton
		}
		return theme.ColorNameForeground, ""
	}
	return theme.ColorNameForeground, theme.ColorNameButton
}

func (r *buttonRenderer) Refresh() {
	b := r.b
	th := b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg, bg := r.colors()
	fill := color.Color(color.Transparent)
	if bg != "" {
		fill = th.Color(bg, v)
	}
	if !b.Disabled() && (b.hovered || b.focused) {
		blend := theme.ColorNameHover
		if b.focused {
			blend = theme.ColorNameFocus
		}
		fill = blendOver(fill, th.Color(blend, v))
	}
	r.bg.FillColor = fill
	r.bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.bg.Refresh()

	r.label.Text = b.Text
	r.label.TextSize = th.Size(theme.SizeNameText)
	r.label.Color = th.Color(fg, v)
	r.label.Refresh()

	if icon := b.Icon; icon != nil {
		switch {
		case b.Disabled():
			icon = theme.NewDisabledResource(icon)
		case fg != theme.ColorNameForeground:
			if _, ok := icon.(fyne.ThemedResource); ok {
				icon = theme.NewColoredResource(icon, fg)
			}
		}
		if r.icon.Resource != icon {
			r.icon.Resource = icon
		}
		r.icon.Show()
		r.icon.Refresh()
	} else {
		r.icon.Hide()
	}
	r.Layout(b.Size())
}

// blendOver draws colour top (with its alpha) over base.
func blendOver(base, top color.Color) color.Color {
	br, bg, bb, ba := base.RGBA()
	tr, tg, tb, ta := top.RGBA()
	inv := 0xffff - ta
	return color.RGBA64{
		R: uint16((tr*0xffff + br*inv) / 0xffff),
		G: uint16((tg*0xffff + bg*inv) / 0xffff),
		B: uint16((tb*0xffff + bb*inv) / 0xffff),
		A: uint16(ta + ba*inv/0xffff),
	}
}
