package ui

import (
	"encoding/json"
	"os"
	"sort"
	"sync"

	"fyne.io/fyne/v2"
)

// UIMapEnv names a file to which the desktop app writes where its named
// widgets are on screen, for the desktop tests: Fyne has no accessibility
// tree to find a button in, and the tests click with xdotool like a
// person, so they need to know where. Nothing is written without it.
const UIMapEnv = "BGFETCH_UI_MAP"

// UIMap names widgets and a few facts (the number of rows shown) and
// writes them as JSON: {"widgets": {"toolbar.add": {"x":…,"y":…,"w":…,
// "h":…,"visible":true}}, "facts": {"list.shown": "12"}}. Positions are
// in pixels from the top left of the widget's window.
type UIMap struct {
	mu      sync.Mutex
	widgets map[string]mapped
	facts   map[string]func() string
}

type mapped struct {
	obj     fyne.CanvasObject
	win     func() fyne.Window
	parents []fyne.CanvasObject
	shown   func() bool // nil: by parents
}

// Box is one widget's place in its window, in pixels.
type Box struct {
	X, Y, W, H int
	Visible    bool
	Window     string // the window's title
}

// NewUIMap returns an empty map.
func NewUIMap() *UIMap {
	return &UIMap{widgets: map[string]mapped{}, facts: map[string]func() string{}}
}

// Add names obj, shown in the window win returns when it and the given
// widgets it is inside are visible.
func (m *UIMap) Add(name string, obj fyne.CanvasObject, win func() fyne.Window, inside ...fyne.CanvasObject) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.widgets[name] = mapped{obj: obj, win: win, parents: inside}
	m.mu.Unlock()
}

// AddShown names obj, shown when shown says so (a dialog's content).
func (m *UIMap) AddShown(name string, obj fyne.CanvasObject, win func() fyne.Window, shown func() bool) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.widgets[name] = mapped{obj: obj, win: win, shown: shown}
	m.mu.Unlock()
}

// Fact names a value the tests read (call it on the UI goroutine).
func (m *UIMap) Fact(name string, f func() string) {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.facts[name] = f
	m.mu.Unlock()
}

// Write writes the map to path (atomically). Call it on the UI goroutine.
func (m *UIMap) Write(path string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := struct {
		Widgets map[string]Box    `json:"widgets"`
		Facts   map[string]string `json:"facts"`
	}{map[string]Box{}, map[string]string{}}
	names := make([]string, 0, len(m.widgets))
	for n := range m.widgets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w := m.widgets[n]
		win := w.win()
		if win == nil {
			continue
		}
		scale := win.Canvas().Scale()
		d := fyne.CurrentApp().Driver()
		pos := d.AbsolutePositionForObject(w.obj)
		size := w.obj.Size()
		out.Widgets[n] = Box{X: int(pos.X * scale), Y: int(pos.Y * scale), W: int(size.Width * scale), H: int(size.Height * scale),
			Visible: w.visible(), Window: win.Title()}
	}
	for n, f := range m.facts {
		out.Facts[n] = f()
	}
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (w mapped) visible() bool {
	if !w.obj.Visible() || w.shown != nil && !w.shown() {
		return false
	}
	for _, p := range w.parents {
		if !p.Visible() {
			return false
		}
	}
	return true
}
