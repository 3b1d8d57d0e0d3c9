package desktop

import (
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/e2e/desktopenv"
)

// pickAction writes a dunst context menu (its dmenu) that picks the
// action whose line contains choice, and logs what it was offered.
func pickAction(t *testing.T, choice string) (menu, offered string) {
	t.Helper()
	dir := t.TempDir()
	menu, offered = filepath.Join(dir, "pick.sh"), filepath.Join(dir, "offered.txt")
	script := fmt.Sprintf("#!/bin/sh\ntee %q | grep -F -m1 %q\n", offered, choice)
	if err := os.WriteFile(menu, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return menu, offered
}

// TestNotificationActionsAndRestart (dunst): a success offers "Show in
// bgfetch" (the click), Open and Show in folder; Show in folder, picked
// from dunst's context menu, shows the file in the file manager (Thunar,
// over org.freedesktop.FileManager1). Then bgfetch restarts while the
// notification is still on screen: the new process raises it again by
// its id, and a click on it reaches the new process (the app's handler
// gets backgroundfetchclick).
func TestNotificationActionsAndRestart(t *testing.T) {
	menu, offered := pickAction(t, "Show in folder")
	env := desktopenv.StartWith(t, desktopenv.Options{DunstDmenu: menu})
	env.StartWM(t)
	env.StartFileManager(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	a.window()
	dest := filepath.Join(a.home, "Podcasts")
	r := a.fetchTo("ep-30", "Episode 30", dest, srv.URL+"/gen/episode-30.mp3?size=300000")
	waitFor(t, 30*time.Second, "success", func() bool { return a.registration(r.UID).Result == "success" })
	waitFor(t, 30*time.Second, "the notification", func() bool { return env.Dunstctl(t, "count", "displayed") == "1" })
	shot := a.screenshot("notification-actions-screen")
	b := shot.Bounds()
	cropTo(t, shot, image.Rect(b.Max.X-360, 0, b.Max.X, 130), "notification-actions")

	env.Dunstctl(t, "context")
	waitFor(t, 10*time.Second, "dunst's menu", func() bool {
		data, _ := os.ReadFile(offered)
		return strings.Contains(string(data), "Show in folder")
	})
	data, _ := os.ReadFile(offered)
	for _, want := range []string{"Show in bgfetch", "Open", "Show in folder"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("dunst's menu lacks %q:\n%s", want, data)
		}
	}
	waitFor(t, 30*time.Second, "Thunar showing the folder", func() bool {
		out, _ := a.xdotool("search", "--onlyvisible", "--class", "Thunar")
		for _, w := range strings.Fields(out) {
			if name, _ := a.xdotool("getwindowname", w); strings.HasPrefix(name, "Podcasts") {
				return true
			}
		}
		return false
	})
	a.shotWindow("Podcasts - Thunar", "show-in-folder")
	a.xdotool("search", "--onlyvisible", "--class", "Thunar", "windowclose")
	env.Dunstctl(t, "close-all")

	// A second fetch leaves a notification on screen; bgfetch restarts.
	r2 := a.fetchTo("ep-31", "Episode 31", dest, srv.URL+"/gen/episode-31.mp3?size=100000")
	waitFor(t, 30*time.Second, "success", func() bool { return a.registration(r2.UID).Result == "success" })
	waitFor(t, 30*time.Second, "the notification", func() bool { return env.Dunstctl(t, "count", "displayed") == "1" })
	a.quit()
	second := startAppWith(t, env, appOptions{home: a.home})
	second.window()
	waitFor(t, 30*time.Second, "the restore", func() bool {
		return strings.Contains(second.logText(), "notifications of the earlier run restored") &&
			strings.Contains(second.logText(), "count=1")
	})
	if n := env.Dunstctl(t, "count", "displayed"); n != "1" {
		t.Fatalf("%s notifications on screen after the restart, want the one replaced in place", n)
	}
	env.Dunstctl(t, "action", "0")
	second.waitHandler("backgroundfetchclick", r2.UID)
}

// TestNotificationsXfce: the same with xfce4-notifyd, which draws each
// action as a button: the default action's button ("Show in bgfetch",
// the first) clicked with xdotool brings backgroundfetchclick, also for a
// notification raised before bgfetch restarted.
func TestNotificationsXfce(t *testing.T) {
	env := desktopenv.StartWith(t, desktopenv.Options{Notifications: "xfce4-notifyd"})
	env.StartWM(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	a.window()
	dest := filepath.Join(a.home, "Podcasts")
	r := a.fetchTo("ep-40", "Episode 40", dest, srv.URL+"/gen/episode-40.mp3?size=200000")
	waitFor(t, 30*time.Second, "success", func() bool { return a.registration(r.UID).Result == "success" })
	popup := a.notifyPopup()
	shot := a.screenshot("notification-xfce-screen")
	cropTo(t, shot, a.geometry(popup), "notification-xfce")
	a.clickFirstButton(popup)
	a.waitHandler("backgroundfetchclick", r.UID)

	r2 := a.fetchTo("ep-41", "Episode 41", dest, srv.URL+"/gen/episode-41.mp3?size=200000")
	waitFor(t, 30*time.Second, "success", func() bool { return a.registration(r2.UID).Result == "success" })
	a.notifyPopup()
	a.quit()
	second := startAppWith(t, env, appOptions{home: a.home})
	second.window()
	waitFor(t, 30*time.Second, "the restore", func() bool {
		return strings.Contains(second.logText(), "notifications of the earlier run restored")
	})
	second.clickFirstButton(second.notifyPopup())
	second.waitHandler("backgroundfetchclick", r2.UID)
}

// fetchTo registers a fetch of url saved to dest, with the handler.
func (a *app) fetchTo(id, title, dest, url string) registration {
	a.t.Helper()
	script := fmt.Sprintf(`cat >/dev/null; echo "$BGFETCH_EVENT $BGFETCH_UID" >> %q`, a.handler)
	body := map[string]any{"id": id, "title": title, "requests": []string{url}, "destination": dest,
		"handler": map[string]any{"command": []string{"/bin/sh", "-c", script}}}
	var r registration
	if code := a.api("POST", "/v1/fetches", body, &r); code != 201 {
		a.t.Fatalf("fetch %s: status %d", id, code)
	}
	return r
}

// notifyPopup waits for xfce4-notifyd's window and returns its id.
func (a *app) notifyPopup() string {
	a.t.Helper()
	var win string
	waitFor(a.t, 30*time.Second, "xfce4-notifyd's popup", func() bool {
		out, _ := a.xdotool("search", "--onlyvisible", "--class", "xfce4-notifyd")
		for _, w := range strings.Fields(out) {
			if g := a.geometry(w); g.Dx() > 100 && g.Dy() > 40 {
				win = w
				return true
			}
		}
		return false
	})
	return win
}

// clickFirstButton clicks the first of the action buttons along a
// popup's bottom edge (they share its width).
func (a *app) clickFirstButton(win string) {
	a.t.Helper()
	g := a.geometry(win)
	x, y := g.Min.X+g.Dx()/6, g.Max.Y-22
	if _, err := a.xdotool("mousemove", strconv.Itoa(x), strconv.Itoa(y), "sleep", "0.2", "click", "1"); err != nil {
		a.t.Fatalf("click: %v", err)
	}
}

// TestGermanAndThemes: with LANG=de_DE.UTF-8 the window, the tray menu
// and the notifications speak German (sizes with a decimal comma); the
// dark and light themes, shot for the README.
func TestGermanAndThemes(t *testing.T) {
	env := desktopenv.Start(t)
	srv := newFileServer(t)
	a := startAppWith(t, env, appOptions{env: []string{"LANG=de_DE.UTF-8"}})
	a.window()
	a.fact("language", is("de"))
	conn := env.Bus(t)
	svc, menu := trayItem(t, conn)
	r := a.fetch("ep-50", "Folge 50", []string{srv.URL + "/gen/folge-50.mp3?size=20000000&rate=2000000",
		srv.URL + "/gen/cover.jpg?size=1500000"}, nil)
	waitFor(t, 30*time.Second, "the German tray menu", func() bool {
		items := menuItems(t, conn, svc, menu)
		_, show := items["bgfetch zeigen"]
		_, pause := items["Alle anhalten"]
		_, quit := items["Beenden"]
		return show && pause && quit
	})
	waitFor(t, 30*time.Second, "bytes to flow", func() bool { return a.registration(r.UID).Downloaded > 2_000_000 })
	a.click("row.ep-50")
	a.fact("details.uid", is(r.UID))
	a.shotWindow("bgfetch", "german")
	waitFor(t, 30*time.Second, "success", func() bool { return a.registration(r.UID).Result == "success" })
	waitFor(t, 30*time.Second, "the notification", func() bool { return env.Dunstctl(t, "count", "displayed") == "1" })
	env.Dunstctl(t, "close-all")
	hist := env.Dunstctl(t, "history")
	for _, want := range []string{"Download abgeschlossen", "Folge 50 — 2 Dateien, 22 MB"} {
		if !strings.Contains(hist, want) {
			t.Errorf("dunst history lacks %q:\n%s", want, hist)
		}
	}
	a.quit()

	for _, th := range []string{"dark", "light"} {
		b := startAppWith(t, env, appOptions{home: a.home, env: []string{"FYNE_THEME=" + th}})
		b.window()
		f := b.fetch("theme-"+th, "Episode 51 ("+th+")", []string{srv.URL + "/gen/episode-51.mp3?size=40000000&rate=1000000"}, nil)
		waitFor(t, 30*time.Second, "bytes to flow", func() bool { return b.registration(f.UID).Downloaded > 1_000_000 })
		b.shotWindow("bgfetch", "theme-"+th)
		b.api("POST", "/v1/registrations/"+f.UID+"/abort", nil, nil)
		b.quit()
	}
}
