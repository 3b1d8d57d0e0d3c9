package desktop

import (
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The app writes where its named widgets are (app/ui/uimap.go,
// BGFETCH_UI_MAP): the tests find a button there and click it with
// xdotool, as a person would.

type uiBox struct {
	X, Y, W, H int
	Visible    bool
	Window     string
}

type uiMap struct {
	Widgets map[string]uiBox  `json:"widgets"`
	Facts   map[string]string `json:"facts"`
}

func (a *app) uiMap() uiMap {
	var m uiMap
	data, err := os.ReadFile(filepath.Join(a.home, "uimap.json"))
	if err == nil {
		_ = json.Unmarshal(data, &m)
	}
	return m
}

// widget waits until name is on screen and returns where, in screen
// pixels.
func (a *app) widget(name string) image.Rectangle {
	a.t.Helper()
	var r image.Rectangle
	deadline := time.Now().Add(30 * time.Second)
	defer func() {
		if time.Now().After(deadline) { // timed out: what was on screen
			a.screenshot("failed-" + strings.ReplaceAll(a.t.Name(), "/", "-"))
		}
	}()
	// Settled, as a person sees it before clicking: the same place in two
	// readings of the map 300 ms apart (it is written every 250 ms; a
	// widget just shown can be mapped once before its container's layout
	// moved it, and a click there is lost).
	var last image.Rectangle
	var lastAt time.Time
	waitFor(a.t, 30*time.Second, "widget "+name+" on screen", func() bool {
		b, ok := a.uiMap().Widgets[name]
		if !ok || !b.Visible || b.W == 0 || b.H == 0 {
			last = image.Rectangle{}
			return false
		}
		win, ok := a.findWindow(b.Window)
		if !ok {
			return false
		}
		g := a.geometry(win)
		r = image.Rect(g.Min.X+b.X, g.Min.Y+b.Y, g.Min.X+b.X+b.W, g.Min.Y+b.Y+b.H)
		if r != last {
			last, lastAt = r, time.Now()
			return false
		}
		return time.Since(lastAt) >= 300*time.Millisecond
	})
	return r
}

// findWindow is the visible window titled title.
func (a *app) findWindow(title string) (string, bool) {
	out, err := a.xdotool("search", "--onlyvisible", "--name", "^"+regexpQuote(title)+"$")
	if err != nil {
		return "", false
	}
	f := strings.Fields(out)
	if len(f) == 0 {
		return "", false
	}
	return f[0], true
}

// regexpQuote makes a title an xdotool pattern (a POSIX basic regular
// expression, matched on bytes): a character beyond ASCII ("—") becomes
// ".*".
func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r > 127:
			b.WriteString(".*")
		case strings.ContainsRune(`\.*[]^$`, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clickAt moves the pointer to the middle of r and clicks.
func (a *app) clickAt(r image.Rectangle) {
	a.t.Helper()
	x, y := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
	// No --sync: it waits for a motion that never comes when the pointer
	// is there already.
	if _, err := a.xdotool("mousemove", strconv.Itoa(x), strconv.Itoa(y), "sleep", "0.15", "click", "1", "sleep", "0.1"); err != nil {
		a.t.Fatalf("xdotool click at %d,%d: %v", x, y, err)
	}
}

// click clicks the widget name.
func (a *app) click(name string) {
	a.t.Helper()
	a.clickAt(a.widget(name))
}

// typeInto clicks the text field name, selects what is in it and types
// text in its place.
func (a *app) typeInto(name, text string) {
	a.t.Helper()
	a.click(name)
	a.keys("ctrl+a", "BackSpace")
	if text != "" {
		if _, err := a.xdotool("type", "--delay", "20", text); err != nil {
			a.t.Fatalf("xdotool type: %v", err)
		}
	}
}

// keys presses keys one after the other (xdotool key names).
func (a *app) keys(keys ...string) {
	a.t.Helper()
	args := append([]string{"key", "--delay", "40"}, keys...)
	if _, err := a.xdotool(args...); err != nil {
		a.t.Fatalf("xdotool key %v: %v", keys, err)
	}
}

// fact waits until the app reports fact name satisfying ok, and returns
// it.
func (a *app) fact(name string, ok func(string) bool) string {
	a.t.Helper()
	var v string
	deadline := time.Now().Add(30 * time.Second)
	for {
		var found bool
		v, found = a.uiMap().Facts[name]
		if found && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			a.screenshot("failed-" + strings.ReplaceAll(a.t.Name(), "/", "-"))
			a.t.Fatalf("timed out after 30s waiting for fact %s; it is %q", name, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func is(want string) func(string) bool { return func(s string) bool { return s == want } }

// shotWindow saves the window titled title as e2e/out/NAME.png.
func (a *app) shotWindow(title, name string) {
	a.t.Helper()
	var win string
	waitFor(a.t, 30*time.Second, fmt.Sprintf("window %q", title), func() bool {
		var ok bool
		win, ok = a.findWindow(title)
		return ok
	})
	time.Sleep(300 * time.Millisecond) // the frame after the last change
	img := a.screenshot(name + "-screen")
	cropTo(a.t, img, a.geometry(win), name)
	os.Remove(filepath.Join(outDir, name+"-screen.png"))
}
