package desktop

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/bgfetch/bgfetch/e2e/desktopenv"
)

var (
	iconOrange = color.NRGBA{0xff, 0x98, 0x00, 0xff} // the test icon's disc
)

// waitWindowShows polls screenshots of the window until ok accepts one,
// and returns it.
func (a *app) waitWindowShows(win, what string, ok func(img image.Image, r image.Rectangle) bool) (image.Image, image.Rectangle) {
	a.t.Helper()
	var img image.Image
	var r image.Rectangle
	waitFor(a.t, 30*time.Second, "the window to show "+what, func() bool {
		r = a.geometry(win)
		img = a.screenshot("last")
		return ok(img, r)
	})
	return img, r
}

func hasCancel(img image.Image, r image.Rectangle) bool {
	_, n := blob(img, r, dangerRed, 10)
	return n > 400
}

// TestFetchInWindowAndNotificationClick: a fetch appears in the window
// with its icon, title, app and progress (spec D.26); it completes; dunst
// shows the success notification; `dunstctl action 0` makes the app's
// handler receive backgroundfetchclick for it (spec C.22).
func TestFetchInWindowAndNotificationClick(t *testing.T) {
	env := desktopenv.Start(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	win := a.window()

	r := a.fetch("ep-5", "Episode 5", []string{
		srv.URL + "/gen/episode-5.mp3?size=9000000&rate=1000000",
		srv.URL + "/gen/episode-5.jpg?size=250000",
	}, []map[string]string{{"src": srv.URL + "/icon.png", "sizes": "128x128", "type": "image/png"}})

	waitFor(t, 30*time.Second, "bytes to flow", func() bool {
		g := a.registration(r.UID)
		return g.State == "running" && g.Downloaded > 3_000_000
	})
	img, rect := a.waitWindowShows(win, "the row with its Cancel button and icon", func(img image.Image, r image.Rectangle) bool {
		_, icon := blob(img, r, iconOrange, 8)
		return hasCancel(img, r) && icon > 300
	})
	cropTo(t, img, rect, "window-downloading")
	if g := a.registration(r.UID); g.Result != "" {
		t.Fatalf("settled before the mid-transfer screenshot: %+v", g)
	}

	waitFor(t, 30*time.Second, "success", func() bool { return a.registration(r.UID).Result == "success" })
	a.waitHandler("backgroundfetchsuccess", r.UID)
	img, rect = a.waitWindowShows(win, "the completed row", func(img image.Image, r image.Rectangle) bool {
		// A full bar: the primary colour across the row, no Cancel.
		bar, _ := blob(img, r, primaryBlue, 6)
		return !hasCancel(img, r) && bar.Dx() > r.Dx()/2
	})
	cropTo(t, img, rect, "window-completed")

	waitFor(t, 30*time.Second, "dunst to display the notification", func() bool {
		return env.Dunstctl(t, "count", "displayed") == "1"
	})
	shot := a.screenshot("notification-success-screen")
	b := shot.Bounds()
	cropTo(t, shot, image.Rect(b.Max.X-360, 0, b.Max.X, 200), "notification-success")

	env.Dunstctl(t, "action", "0")
	a.waitHandler("backgroundfetchclick", r.UID)

	env.Dunstctl(t, "close-all")
	hist := env.Dunstctl(t, "history")
	for _, want := range []string{"Download complete", "Episode 5 — 2 files, 9.2 MB", `"bgfetch"`} {
		if !strings.Contains(hist, want) {
			t.Errorf("dunst history lacks %q:\n%s", want, hist)
		}
	}
	if strings.Count(a.handlerLog(), "backgroundfetchclick") != 1 {
		t.Errorf("handler log:\n%s", a.handlerLog())
	}
}

// TestCancelAndFailure: clicking a row's Cancel with xdotool settles the
// fetch as aborted, the handler gets backgroundfetchabort, and no
// notification is raised for it; a 404 fails with bad-status, shows
// "Failed: …" and a failure notification.
func TestCancelAndFailure(t *testing.T) {
	env := desktopenv.Start(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	win := a.window()

	r := a.fetch("ep-6", "Episode 6", []string{srv.URL + "/hold/episode-6.mp3"}, nil)
	waitFor(t, 30*time.Second, "the held transfer to start", func() bool {
		g := a.registration(r.UID)
		return g.State == "running" && g.Downloaded >= 512<<10
	})
	img, rect := a.waitWindowShows(win, "the Cancel button", hasCancel)
	button, _ := blob(img, rect, dangerRed, 10)
	x, y := (button.Min.X+button.Max.X)/2, (button.Min.Y+button.Max.Y)/2
	if _, err := a.xdotool("mousemove", "--sync", strconv.Itoa(x), strconv.Itoa(y), "click", "1"); err != nil {
		t.Fatalf("xdotool click: %v", err)
	}
	waitFor(t, 30*time.Second, "the abort", func() bool {
		g := a.registration(r.UID)
		return g.Result == "failure" && g.FailureReason == "aborted"
	})
	a.waitHandler("backgroundfetchabort", r.UID)

	f := a.fetch("ep-7", "Episode 7", []string{srv.URL + "/status/404"}, nil)
	waitFor(t, 30*time.Second, "the failure", func() bool {
		g := a.registration(f.UID)
		return g.Result == "failure" && g.FailureReason == "bad-status"
	})
	a.waitHandler("backgroundfetchfail", f.UID)
	waitFor(t, 30*time.Second, "the failure notification", func() bool {
		return env.Dunstctl(t, "count", "displayed") == "1"
	})
	a.xdotool("mousemove", "0", "0")
	img, rect = a.waitWindowShows(win, "the failed and cancelled rows", func(img image.Image, r image.Rectangle) bool {
		_, red := blob(img, r, dangerRed, 12)
		return !hasCancel(img, r) && red > 5
	})
	cropTo(t, img, rect, "window-failed")
	shot := a.screenshot("notification-failed-screen")
	b := shot.Bounds()
	cropTo(t, shot, image.Rect(b.Max.X-360, 0, b.Max.X, 200), "notification-failed")

	env.Dunstctl(t, "close-all")
	hist := env.Dunstctl(t, "history")
	if !strings.Contains(hist, "Download failed") || !strings.Contains(hist, "Episode 7 — the server answered with an error (404 Not Found)") {
		t.Errorf("dunst history:\n%s", hist)
	}
	if strings.Contains(hist, "Episode 6") {
		t.Errorf("a notification was raised for the person's own cancel:\n%s", hist)
	}
}

// trayItem finds bgfetch's StatusNotifierItem through the watcher and
// returns the bus name and menu path.
func trayItem(t *testing.T, conn *dbus.Conn) (string, dbus.ObjectPath) {
	t.Helper()
	svc, _, menu := trayItemPaths(t, conn)
	return svc, menu
}

// trayItemPaths is trayItem with the item's own object path too.
func trayItemPaths(t *testing.T, conn *dbus.Conn) (string, dbus.ObjectPath, dbus.ObjectPath) {
	t.Helper()
	var svc string
	var item, path dbus.ObjectPath
	waitFor(t, 30*time.Second, "the tray item at the watcher", func() bool {
		v, err := conn.Object(desktopenv.SNIWatcherName, "/StatusNotifierWatcher").
			GetProperty("org.kde.StatusNotifierWatcher.RegisteredStatusNotifierItems")
		if err != nil {
			return false
		}
		items, _ := v.Value().([]string)
		for _, it := range items {
			name, p := it, "/StatusNotifierItem"
			if i := strings.Index(it, "/"); i > 0 {
				name, p = it[:i], it[i:]
			}
			menu, err := conn.Object(name, dbus.ObjectPath(p)).GetProperty("org.kde.StatusNotifierItem.Menu")
			if err != nil {
				continue
			}
			svc, item, path = name, dbus.ObjectPath(p), menu.Value().(dbus.ObjectPath)
			return true
		}
		return false
	})
	return svc, item, path
}

// trayTooltip reads the item's ToolTip property, (sa(iiay)ss): its title.
func trayTooltip(t *testing.T, conn *dbus.Conn, svc string, item dbus.ObjectPath) string {
	t.Helper()
	v, err := conn.Object(svc, item).GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		t.Fatalf("ToolTip: %v", err)
	}
	var tip struct {
		Icon   string
		Pixmap []struct {
			W, H int32
			Data []byte
		}
		Title, Text string
	}
	if err := dbus.Store([]any{v.Value()}, &tip); err != nil {
		t.Fatalf("ToolTip %v: %v", v, err)
	}
	return tip.Title
}

type menuLayout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// menuItems returns label → id of the tray menu.
func menuItems(t *testing.T, conn *dbus.Conn, svc string, path dbus.ObjectPath) map[string]int32 {
	t.Helper()
	var rev uint32
	var root menuLayout
	err := conn.Object(svc, path).Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root)
	if err != nil {
		t.Fatalf("GetLayout: %v", err)
	}
	out := map[string]int32{}
	for _, c := range root.Children {
		var child menuLayout
		if err := dbus.Store([]any{c.Value()}, &child); err != nil {
			t.Fatalf("menu child: %v", err)
		}
		if l, ok := child.Props["label"]; ok {
			out[l.Value().(string)] = child.ID
		}
	}
	return out
}

func clickMenu(t *testing.T, conn *dbus.Conn, svc string, path dbus.ObjectPath, id int32) {
	t.Helper()
	call := conn.Object(svc, path).Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix()))
	if call.Err != nil {
		t.Fatalf("Event(%d, clicked): %v", id, call.Err)
	}
}

// TestTrayPauseAll: the tray item is registered with the watcher; its menu
// lists the active fetch ("Episode 8 — N%") and "Pause all", whose
// clicked Event pauses the transfer; the fetch's entry fires
// backgroundfetchclick.
func TestTrayPauseAll(t *testing.T) {
	env := desktopenv.Start(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	a.window()
	conn := env.Bus(t)
	svc, item, menu := trayItemPaths(t, conn)

	r := a.fetch("ep-8", "Episode 8", []string{srv.URL + "/gen/episode-8.mp3?size=40000000&rate=1000000"}, nil)
	waitFor(t, 30*time.Second, "bytes to flow", func() bool { return a.registration(r.UID).Downloaded > 100_000 })

	var entry string
	waitFor(t, 30*time.Second, "the fetch's tray entry", func() bool {
		for label := range menuItems(t, conn, svc, menu) {
			if strings.HasPrefix(label, "Episode 8 — ") && strings.HasSuffix(label, "%") {
				entry = label
				return true
			}
		}
		return false
	})
	// The tooltip gives the aggregate progress.
	var tip string
	waitFor(t, 30*time.Second, "the tooltip to show the progress", func() bool {
		tip = trayTooltip(t, conn, svc, item)
		return strings.HasPrefix(tip, "bgfetch — 1 downloading — ") && strings.HasSuffix(tip, "%")
	})
	t.Logf("tray tooltip %q", tip)

	// A menu rebuild renumbers the entries: retry with fresh ids until the
	// click lands.
	waitFor(t, 30*time.Second, "Pause all to pause the transfer", func() bool {
		items := menuItems(t, conn, svc, menu)
		id, ok := items["Pause all"]
		if !ok {
			t.Fatalf("no Pause all in %v", items)
		}
		clickMenu(t, conn, svc, menu, id)
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			if a.registration(r.UID).State == "paused" {
				return true
			}
			time.Sleep(50 * time.Millisecond)
		}
		return false
	})
	paused := a.registration(r.UID).Downloaded
	if g := a.registration(r.UID); g.Result != "" {
		t.Fatalf("settled: %+v", g)
	}

	waitFor(t, 30*time.Second, "the entry to click it", func() bool {
		for label, id := range menuItems(t, conn, svc, menu) {
			if strings.HasPrefix(label, "Episode 8 — ") {
				clickMenu(t, conn, svc, menu, id)
				data := a.handlerLog()
				return strings.Contains(data, "backgroundfetchclick "+r.UID)
			}
		}
		return false
	})
	if g := a.registration(r.UID); g.State != "paused" || g.Downloaded > paused+64<<10 {
		t.Fatalf("transfer went on after Pause all: %+v (paused at %d)", g, paused)
	}
	t.Logf("tray entry %q; paused at %s bytes", entry, fmt.Sprint(paused))
	waitFor(t, 10*time.Second, "the tooltip to say paused", func() bool {
		tip = trayTooltip(t, conn, svc, item)
		return strings.HasPrefix(tip, "bgfetch — Paused — ")
	})

	// Quit from the tray: everything is checkpointed (the daemon closes,
	// the store lock is released) and the process exits 0, no panic.
	clickMenu(t, conn, svc, menu, menuItems(t, conn, svc, menu)["Quit"])
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("bgfetch did not quit from the tray")
	}
	if code := a.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, a.logText())
	}
	if log := a.logText(); !strings.Contains(log, "bgfetch stopped") || strings.Contains(log, "panic") {
		t.Fatalf("no clean shutdown:\n%s", log)
	}
}

// TestHiddenThenSecondInstanceShows: `bgfetch --hidden` (the login entry)
// starts in the tray with no window; a second `bgfetch` on the same data
// dir exits 0 and brings the running instance's window up.
func TestHiddenThenSecondInstanceShows(t *testing.T) {
	env := desktopenv.Start(t)
	a := startApp(t, env, "--hidden")
	conn := env.Bus(t)
	trayItem(t, conn)
	if out, _ := a.xdotool("search", "--onlyvisible", "--name", "^bgfetch$"); strings.TrimSpace(out) != "" {
		t.Fatalf("window visible with --hidden: %q", out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	second := env.Command(ctx, bin, "--data-dir", a.dataDir)
	second.Env = append(second.Env, "HOME="+a.home, "LANG=en_US.UTF-8")
	out, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("second bgfetch: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "already running") {
		t.Fatalf("second bgfetch said %q", out)
	}
	a.window()
}

// TestAddForm: a person with no app adds a download from the window: the
// Add button, a URL typed into the form, Download; the file lands in
// ~/Downloads.
func TestAddForm(t *testing.T) {
	env := desktopenv.Start(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	win := a.window()

	click := func(r image.Rectangle) {
		t.Helper()
		x, y := (r.Min.X+r.Max.X)/2, (r.Min.Y+r.Max.Y)/2
		if _, err := a.xdotool("mousemove", "--sync", strconv.Itoa(x), strconv.Itoa(y), "click", "1"); err != nil {
			t.Fatalf("click: %v", err)
		}
	}
	img, rect := a.waitWindowShows(win, "the Add button", func(img image.Image, r image.Rectangle) bool {
		_, n := blob(img, image.Rect(r.Min.X, r.Min.Y, r.Min.X+200, r.Min.Y+100), primaryBlue, 6)
		return n > 300
	})
	add, _ := blob(img, image.Rect(rect.Min.X, rect.Min.Y, rect.Min.X+200, rect.Min.Y+100), primaryBlue, 6)
	click(add)

	// The dialog dims the window: the only full-strength primary colour
	// left is its Download button (with the URL box focused).
	var submit image.Rectangle
	img, _ = a.waitWindowShows(win, "the Add dialog", func(img image.Image, r image.Rectangle) bool {
		var n int
		submit, n = blob(img, r, primaryBlue, 6)
		return n > 300 && submit.Min.Y > add.Max.Y+40
	})
	cropTo(t, img, rect, "window-add")
	url := srv.URL + "/gen/notes.pdf?size=300000"
	if _, err := a.xdotool("type", "--delay", "5", url); err != nil {
		t.Fatalf("type: %v", err)
	}
	click(submit)

	var ids struct {
		IDs []string `json:"ids"`
	}
	dest := filepath.Join(a.home, "Downloads", "notes.pdf")
	waitFor(t, 30*time.Second, "the download in ~/Downloads", func() bool {
		_, err := os.Stat(dest)
		return err == nil
	})
	a.api("GET", "/v1/fetches", nil, &ids) // app com.example.podcasts: none of its own
	if len(ids.IDs) != 0 {
		t.Fatalf("the Add form's fetch landed in the wrong app: %v", ids.IDs)
	}
	if st, _ := os.Stat(dest); st.Size() != 300000 {
		t.Fatalf("%s has %d bytes", dest, st.Size())
	}
}

// TestCloseHidesToTray: under a window manager, closing the window (the
// manager's close: WM_DELETE_WINDOW) only hides it. bgfetch keeps running —
// the transfer goes on and finishes, the API answers — and the tray's Show
// bgfetch brings the window back.
func TestCloseHidesToTray(t *testing.T) {
	env := desktopenv.Start(t)
	env.StartWM(t)
	a := startApp(t, env)
	a.window()
	conn := env.Bus(t)
	svc, menu := trayItem(t, conn)
	srv := newFileServer(t)
	r := a.fetch("ep-9", "Episode 9", []string{srv.URL + "/gen/episode-9.mp3?size=6000000&rate=2000000"}, nil)
	waitFor(t, 30*time.Second, "bytes to flow", func() bool { return a.registration(r.UID).Downloaded > 0 })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := env.Command(ctx, "wmctrl", "-F", "-c", "bgfetch").CombinedOutput(); err != nil {
		t.Fatalf("wmctrl -c bgfetch: %v %s", err, out)
	}
	waitFor(t, 10*time.Second, "the window to hide", func() bool {
		out, _ := a.xdotool("search", "--onlyvisible", "--name", "^bgfetch$")
		return strings.TrimSpace(out) == ""
	})
	select {
	case <-a.exited:
		t.Fatalf("bgfetch exited when its window was closed:\n%s", a.logText())
	default:
	}
	waitFor(t, 30*time.Second, "the transfer to finish with the window hidden", func() bool {
		return a.registration(r.UID).Result == "success"
	})

	clickMenu(t, conn, svc, menu, menuItems(t, conn, svc, menu)["Show bgfetch"])
	a.window()
}

// TestCloseQuitsWithoutTray: with no tray host there is nothing to come
// back from, so closing the window quits bgfetch cleanly (exit 0, every
// transfer checkpointed, the store closed) instead of hiding it.
func TestCloseQuitsWithoutTray(t *testing.T) {
	env := desktopenv.Start(t)
	env.StartWM(t)
	env.StopWatcher(t)
	a := startApp(t, env)
	a.window()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := env.Command(ctx, "wmctrl", "-F", "-c", "bgfetch").CombinedOutput(); err != nil {
		t.Fatalf("wmctrl -c bgfetch: %v %s", err, out)
	}
	select {
	case <-a.exited:
	case <-time.After(30 * time.Second):
		t.Fatalf("bgfetch kept running with its window closed and no tray:\n%s", a.logText())
	}
	if code := a.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit code %d:\n%s", code, a.logText())
	}
	if log := a.logText(); !strings.Contains(log, "no system tray host") || !strings.Contains(log, "bgfetch stopped") {
		t.Fatalf("no tray notice or no clean shutdown:\n%s", log)
	}
}
