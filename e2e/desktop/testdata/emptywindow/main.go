// Command emptywindow is the baseline of BenchmarkRSS: an empty Fyne
// window with the same size as bgfetch's, nothing else.
//
// With the argument "drawn" it also paints one rectangle over the window,
// a reference the benchmark reports beside the target's baseline: the
// empty window never runs a fragment shader, and under Mesa's llvmpipe
// (Xvfb) the first one drawn brings in about 10 MiB more of libLLVM's
// code, whatever is drawn.
package main

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.bgfetch.emptywindow")
	w := a.NewWindow("emptywindow")
	var content fyne.CanvasObject = widget.NewLabel("")
	if len(os.Args) > 1 && os.Args[1] == "drawn" {
		content = container.NewStack(canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground)), content)
	}
	w.SetContent(content)
	w.Resize(fyne.NewSize(900, 600)) // bgfetch's window (app/main.go)
	w.ShowAndRun()
}
