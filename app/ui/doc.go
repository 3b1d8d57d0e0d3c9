// Package ui holds the widgets of the bgfetch progress window: the rows of
// the virtualized download list, the Add form and the window content with
// its throttled refresh and keyboard handling.
//
// It must not import fyne.io/fyne/v2/app (so its tests run with the
// fyne.io/fyne/v2/test driver alone) and it never blocks the engine: updates
// are recorded under a mutex and drawn at most ten times a second through
// fyne.Do.
package ui
