// Command emptywindow is the baseline of BenchmarkRSS: an empty Fyne
// window with the same size as bgfetch's, nothing else.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.bgfetch.emptywindow")
	w := a.NewWindow("emptywindow")
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(900, 600)) // bgfetch's window (app/main.go)
	w.ShowAndRun()
}
