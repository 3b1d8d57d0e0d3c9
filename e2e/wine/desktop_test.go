package e2ewine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
	"github.com/bgfetch/bgfetch/internal/winapp"
)

const runKey = `HKCU\Software\Microsoft\Windows\CurrentVersion\Run`

// TestDesktop drives bgfetch.exe on Wine's virtual desktop (taskbar and
// notification area, no D-Bus) as a person would: the window lists the
// fetches, the tray icon has its tooltip and menu, closing the window
// hides it to the tray, a second start and the menu's Show bring it back,
// Start at login writes the Run key, a toast's click reaches
// Manager.Click through the bgfetch: protocol while bgfetch runs, when it
// does not, and after it restarted, Quit quits, and log-off ends it
// cleanly. Screenshots of the window and the menu land in BGFETCH_WINE_SHOTS.
func TestDesktop(t *testing.T) {
	srv := testserver.New(t)
	dir := t.TempDir()
	a := startApp(t, dir, "--data-dir", winPath(dir), "--verbose")
	ctx := context.Background()
	// Fetches that settle before the UI runs raise no toast: wait for it.
	waitFor(t, time.Minute, "the desktop app", func() bool { return strings.Contains(a.logText(), "desktop app running") })
	done := fetch(t, a, "ep5", "Episode 5: The Background Fetch API", srv.URL+"/file/ep5.mp3", srv.URL+"/file/ep5.jpg")
	art := fetch(t, a, "art", "Season 2 artwork", srv.URL+"/hold/art.zip?size=16000000")
	bonus := fetch(t, a, "bonus", "Bonus interview", srv.URL+"/status/404")
	waitFor(t, 30*time.Second, "the fetches to settle or run", func() bool {
		n := 0
		for _, uid := range []string{done.UID, art.UID, bonus.UID} {
			if r, err := a.c.Registration(ctx, uid); err == nil && (r.Result != "" || r.Downloaded > 0) {
				n++
			}
		}
		return n == 3
	})

	waitWindow(t, true)
	time.Sleep(2 * time.Second) // a frame with the progress drawn
	shot(t, "windows-window")

	// The tray icon sits at the right end of the taskbar's notification area.
	bar, ok := find(t, "Shell_TrayWnd", "")
	if !ok {
		t.Fatal("no taskbar")
	}
	iconX, iconY := fmt.Sprint(bar.X+bar.W-11), fmt.Sprint(bar.Y+bar.H/2)
	t.Run("tooltip", func(t *testing.T) {
		xdo(t, "mousemove", "600", "600")
		time.Sleep(300 * time.Millisecond)
		xdo(t, "mousemove", iconX, iconY)
		waitFor(t, 10*time.Second, "the tray icon's tooltip", func() bool { _, ok := find(t, "tooltips_class32", ""); return ok })
	})
	var menu Window
	openMenu := func(t *testing.T) {
		xdo(t, "mousemove", iconX, iconY, "click", "3")
		waitFor(t, 10*time.Second, "the tray menu", func() bool {
			var ok bool
			menu, ok = find(t, "#32768", "")
			return ok
		})
		time.Sleep(300 * time.Millisecond)
	}
	// choose clicks a menu entry: the first ("Show bgfetch") counted from
	// the top, the others from the bottom (Quit, and Start at login above
	// its separator), in Wine's menu metrics: 4 px of frame, 17 px an
	// entry, 9 px a separator. (The keyboard does not reach a tray menu
	// whose app has no window up.)
	choose := func(t *testing.T, entry string) {
		y := map[string]int{"Show": menu.Y + 4 + 8, "Quit": menu.Y + menu.H - 4 - 8, "Start at login": menu.Y + menu.H - 4 - 17 - 9 - 8}[entry]
		xdo(t, "mousemove", fmt.Sprint(menu.X+menu.W/2), fmt.Sprint(y))
		time.Sleep(300 * time.Millisecond)
		xdo(t, "click", "1")
	}
	t.Run("tray menu", func(t *testing.T) {
		openMenu(t)
		shot(t, "windows-tray")
		xdo(t, "key", "Escape")
	})
	closeWindow := func(t *testing.T) {
		// The title bar's close button, at its right end.
		w := waitWindow(t, true)
		xdo(t, "mousemove", fmt.Sprint(w.X+w.W-14), fmt.Sprint(w.Y+12))
		time.Sleep(300 * time.Millisecond)
		xdo(t, "click", "1")
		waitWindow(t, false)
	}

	t.Run("close hides to the tray", func(t *testing.T) {
		closeWindow(t)
		if _, err := a.c.IDs(ctx); err != nil {
			t.Fatalf("bgfetch quit instead of hiding: %v", err)
		}
		if _, ok := find(t, "Shell_TrayWnd", ""); !ok {
			t.Fatal("no taskbar")
		}
	})
	t.Run("second start shows the window", func(t *testing.T) {
		out, code := run(t, time.Minute, filepath.Join(dist, "bgfetch.exe"), "--data-dir", winPath(dir))
		if code != 0 || !strings.Contains(out, "already running; showing its window") {
			t.Fatalf("second start: %d %q", code, out)
		}
		waitWindow(t, true)
		closeWindow(t)
	})
	t.Run("Show from the tray", func(t *testing.T) {
		openMenu(t)
		choose(t, "Show")
		waitWindow(t, true)
	})
	t.Run("Start at login", func(t *testing.T) {
		run(t, 20*time.Second, "reg", "delete", runKey, "/v", "bgfetch", "/f")
		openMenu(t)
		choose(t, "Start at login")
		waitFor(t, 10*time.Second, "the Run value", func() bool { _, ok := regValue(t, runKey, "bgfetch"); return ok })
		v, _ := regValue(t, runKey, "bgfetch")
		if want := `"` + winPath(filepath.Join(dist, "bgfetch.exe")) + `" --hidden`; v != want {
			t.Fatalf("Run value %q, want %q", v, want)
		}
		openMenu(t)
		choose(t, "Start at login")
		waitFor(t, 10*time.Second, "the Run value to go", func() bool { _, ok := regValue(t, runKey, "bgfetch"); return !ok })
	})

	// The toast's URL, as the app built it (toasts do not show under Wine).
	url := launchURL(t, a, done.UID)
	mirrorProtocol(t)
	t.Run("toast click while running", func(t *testing.T) {
		if out, code := run(t, time.Minute, "start", url); code != 0 {
			t.Fatalf("start %s: %d %s", url, code, out)
		}
		waitFor(t, 20*time.Second, "backgroundfetchclick", func() bool { return clicks(t, a.c, done.UID) == 1 })
	})
	t.Run("Quit from the tray", func(t *testing.T) {
		openMenu(t)
		choose(t, "Quit")
		if code := a.waitExit(t, 30*time.Second); code != 0 {
			t.Fatalf("exit status %d after Quit:\n%s", code, a.logText())
		}
		if _, err := os.Stat(filepath.Join(dir, "endpoint")); !os.IsNotExist(err) {
			t.Fatalf("endpoint file left after Quit: %v", err)
		}
	})
	var b *app
	t.Run("toast click when bgfetch is not running", func(t *testing.T) {
		// What the protocol handler runs: it finds no instance and
		// starts the desktop app, which clicks once up.
		b = startApp(t, dir, "--activate", url)
		waitFor(t, 20*time.Second, "backgroundfetchclick", func() bool { return clicks(t, b.c, done.UID) == 2 })
	})
	t.Run("toast click after a restart", func(t *testing.T) {
		if b == nil {
			t.Skip("no running app")
		}
		if out, code := run(t, time.Minute, "start", url); code != 0 {
			t.Fatalf("start %s: %d %s", url, code, out)
		}
		waitFor(t, 20*time.Second, "backgroundfetchclick", func() bool { return clicks(t, b.c, done.UID) == 3 })
	})
	t.Run("log-off ends it cleanly", func(t *testing.T) {
		if b == nil {
			t.Skip("no running app")
		}
		if out, code := run(t, time.Minute, winTool, "endsession", winPath(dir)); code != 0 {
			t.Fatalf("endsession: %d %s", code, out)
		}
		if code := b.waitExit(t, 30*time.Second); code != 0 {
			t.Fatalf("exit status %d after log-off:\n%s", code, b.logText())
		}
		if _, err := os.Stat(filepath.Join(dir, "endpoint")); !os.IsNotExist(err) {
			t.Fatalf("endpoint file left after log-off: %v", err)
		}
	})
}

func fetch(t *testing.T, a *app, id, title string, urls ...string) *model.Registration {
	t.Helper()
	var reqs model.Requests
	for _, u := range urls {
		reqs = append(reqs, model.Request{URL: u})
	}
	reg, err := a.c.Fetch(context.Background(), model.FetchRequest{ID: id, Title: title, Requests: reqs})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// waitWindow waits until bgfetch's window is shown (or hidden).
func waitWindow(t *testing.T, shown bool) Window {
	t.Helper()
	var w Window
	waitFor(t, 20*time.Second, fmt.Sprintf("the window shown=%v", shown), func() bool {
		var ok bool
		w, ok = find(t, "GLFW30", "bgfetch")
		return ok == shown
	})
	return w
}

// launchURL is the bgfetch: URL the app gave the toast of uid (its debug
// log), which must be the one winapp builds for the data directory.
func launchURL(t *testing.T, a *app, uid string) string {
	t.Helper()
	var url string
	defer func() {
		if t.Failed() {
			t.Logf("the app's log:\n%s", a.logText())
		}
	}()
	waitFor(t, 20*time.Second, "the toast of "+uid, func() bool {
		m := regexp.MustCompile(`msg="bgfetch: toast" uid=` + uid + ` launch="([^"]+)"`).FindStringSubmatch(a.logText())
		if m != nil {
			url = m[1]
		}
		return m != nil
	})
	if want := winapp.ClickURL(winPath(a.dir), uid); url != want {
		t.Fatalf("toast URL %q, want %q", url, want)
	}
	return url
}

// mirrorProtocol copies the bgfetch: class the app registered per user
// to HKLM\Software\Classes: Wine 8 does not merge HKCU\Software\Classes
// into HKEY_CLASSES_ROOT, which ShellExecute reads (Windows does). The
// command is the app's own, read back from HKCU.
func mirrorProtocol(t *testing.T) {
	t.Helper()
	key := `HKCU\Software\Classes\bgfetch`
	cmd, ok := regValue(t, key+`\shell\open\command`, "")
	if want := `"` + winPath(filepath.Join(dist, "bgfetch.exe")) + `" --activate "%1"`; !ok || cmd != want {
		t.Fatalf("the app registered %s as %q, want %q", key, cmd, want)
	}
	if _, ok := regValue(t, key, "URL Protocol"); !ok {
		t.Fatalf("%s has no URL Protocol value", key)
	}
	hklm := `HKLM\Software\Classes\bgfetch`
	for _, args := range [][]string{
		{"reg", "add", hklm, "/ve", "/d", "URL:bgfetch", "/f"},
		{"reg", "add", hklm, "/v", "URL Protocol", "/d", "", "/f"},
		{"reg", "add", hklm + `\shell\open\command`, "/ve", "/d", cmd, "/f"},
	} {
		if out, code := run(t, 20*time.Second, args...); code != 0 {
			t.Fatalf("%q: %d %s", args, code, out)
		}
	}
}
