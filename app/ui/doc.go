// Package ui holds the widgets of the bgfetch progress window: the rows of
// the virtualized download list (active fetches first, then the history,
// filtered by the search field: model.go), the details pane of the
// selected fetch (details.go), the Add form and what fills it from a drop
// or a paste (add.go, drop.go), the settings form (settings.go, with the
// parsing of speeds and schedules in parse.go) and the window content with
// its throttled refresh and keyboard handling (view.go). Every string goes
// through internal/words in the user's language.
//
// Two widgets exist for the software renderer's sake and memory: Button
// (regular-weight labels: no bold font pair is parsed) and Bar (a slim
// progress bar: Fyne's full-height one made scrolling slow); TextLine is a
// single canvas.Text cut with an ellipsis. uimap.go tells the desktop
// tests where the widgets are.
//
// It must not import fyne.io/fyne/v2/app (so its tests run with the
// fyne.io/fyne/v2/test driver alone) and it never blocks the engine: updates
// are recorded under a mutex and drawn at most ten times a second through
// fyne.Do.
package ui
