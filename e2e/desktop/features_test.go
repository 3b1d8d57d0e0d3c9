package desktop

import (
	"context"
	"fmt"
	"image"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/e2e/desktopenv"
)

// settingsTitle is the settings window's title in English.
const settingsTitle = "Settings — bgfetch"

type settings struct {
	MaxConnections    int   `json:"maxConnections"`
	MaxBytesPerSecond int64 `json:"maxBytesPerSecond"`
	Schedule          []struct {
		Days              []string `json:"days"`
		From, To          string
		MaxBytesPerSecond int64 `json:"maxBytesPerSecond"`
	} `json:"schedule"`
	Notifications bool `json:"notifications"`
}

func (a *app) settings() settings {
	a.t.Helper()
	var s settings
	if code := a.api("GET", "/v1/settings", nil, &s); code != http.StatusOK {
		a.t.Fatalf("GET /v1/settings: %d", code)
	}
	return s
}

// control is a registration's transfer-control fields.
type control struct {
	UID               string `json:"uid"`
	Priority          string `json:"priority"`
	MaxBytesPerSecond int64  `json:"maxBytesPerSecond"`
	RetryOf           string `json:"retryOf"`
	Result            string `json:"result"`
	FailureReason     string `json:"failureReason"`
}

func (a *app) control(uid string) control {
	a.t.Helper()
	var c control
	a.api("GET", "/v1/registrations/"+uid, nil, &c)
	return c
}

// TestSettingsWindow: the toolbar's gear opens the settings window; a bad
// value is refused in the form (its message under the field, Save
// disabled, nothing changes); good values apply at once through the
// daemon's settings and the Add form's folder, and survive a restart.
func TestSettingsWindow(t *testing.T) {
	env := desktopenv.Start(t)
	env.StartWM(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	a.window()
	before := a.settings()

	a.click("toolbar.settings")
	a.typeInto("settings.speed", "fast")
	a.fact("settings.saveEnabled", is("false"))
	a.typeInto("settings.maxConnections", "0")
	a.shotWindow(settingsTitle, "settings-refused")
	a.click("settings.save") // disabled: nothing happens
	time.Sleep(300 * time.Millisecond)
	if got := a.settings(); got.MaxBytesPerSecond != before.MaxBytesPerSecond || got.MaxConnections != before.MaxConnections {
		t.Fatalf("a refused form changed the settings: %+v", got)
	}

	folder := filepath.Join(a.home, "Podcasts")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	a.typeInto("settings.speed", "2M")
	a.typeInto("settings.maxConnections", "4")
	a.typeInto("settings.schedule", "mon-fri 09:00-17:00 500k")
	a.typeInto("settings.folder", folder)
	a.fact("settings.saveEnabled", is("true"))
	a.click("settings.save")
	a.fact("settings.message", func(s string) bool { return strings.HasPrefix(s, "Saved") })
	a.shotWindow(settingsTitle, "settings")
	got := a.settings()
	if got.MaxBytesPerSecond != 2<<20 || got.MaxConnections != 4 || len(got.Schedule) != 1 ||
		got.Schedule[0].MaxBytesPerSecond != 500<<10 || strings.Join(got.Schedule[0].Days, ",") != "mon,tue,wed,thu,fri" {
		t.Fatalf("settings after Save: %+v", got)
	}
	a.click("settings.close")

	// The Add form now saves to the folder chosen.
	a.click("toolbar.add")
	a.typeInto("add.urls", srv.URL+"/gen/episode-1.mp3?size=1000")
	a.click("add.submit")
	waitFor(t, 30*time.Second, "the file in the folder of the settings", func() bool {
		_, err := os.Stat(filepath.Join(folder, "episode-1.mp3"))
		return err == nil
	})

	// After a restart: the same settings, shown in the form again.
	a.quit()
	b := startAppWith(t, env, appOptions{home: a.home})
	b.window()
	if got := b.settings(); got.MaxBytesPerSecond != 2<<20 || got.MaxConnections != 4 {
		t.Fatalf("settings after a restart: %+v", got)
	}
	b.click("toolbar.settings")
	b.widget("settings.speed")
	b.click("settings.close")
	b.click("toolbar.add")
	b.typeInto("add.urls", srv.URL+"/gen/episode-2.mp3?size=1000")
	b.click("add.submit")
	waitFor(t, 30*time.Second, "the folder of the settings after a restart", func() bool {
		_, err := os.Stat(filepath.Join(folder, "episode-2.mp3"))
		return err == nil
	})
}

// TestDetailsAndControls: clicking a row opens its details: its files,
// each with Copy address (the clipboard has it, read back with xclip);
// the priority and the speed limit change the fetch live; Retry starts a
// failed fetch again as a new registration; Cancel cancels.
func TestDetailsAndControls(t *testing.T) {
	env := desktopenv.Start(t)
	env.StartWM(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	a.window()
	slow := srv.URL + "/gen/episode-20.mp3?size=40000000&rate=400000"
	cover := srv.URL + "/gen/cover.jpg?size=250000"
	r := a.fetch("ep-20", "Episode 20", []string{slow, cover}, nil)
	waitFor(t, 30*time.Second, "bytes to flow", func() bool { return a.registration(r.UID).Downloaded > 300_000 })

	a.click("row.ep-20")
	a.fact("details.uid", is(r.UID))
	a.click("details.file1.copy")
	waitFor(t, 10*time.Second, "the address on the clipboard", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := env.Command(ctx, "xclip", "-o", "-selection", "clipboard").Output()
		return err == nil && string(out) == cover
	})

	// Priority: the select's list opens under it; High is its first line.
	sel := a.widget("details.priority")
	a.clickAt(sel)
	a.clickAt(sel.Add(image.Pt(0, sel.Dy())))
	waitFor(t, 10*time.Second, "priority high", func() bool { return a.control(r.UID).Priority == "high" })
	a.typeInto("details.limit", "100k")
	a.click("details.apply")
	waitFor(t, 10*time.Second, "the limit", func() bool { return a.control(r.UID).MaxBytesPerSecond == 100<<10 })
	time.Sleep(time.Second) // a speed measured under the limit
	a.shotWindow("bgfetch", "details")

	f := a.fetch("ep-21", "Episode 21", []string{srv.URL + "/status/404"}, nil)
	waitFor(t, 30*time.Second, "the failure", func() bool { return a.registration(f.UID).Result == "failure" })
	a.click("row.ep-21")
	a.fact("details.uid", is(f.UID))
	a.click("details.retry")
	var page struct {
		Registrations []control `json:"registrations"`
	}
	waitFor(t, 30*time.Second, "the retry", func() bool {
		a.api("GET", "/v1/registrations?state=all", nil, &page)
		for _, g := range page.Registrations {
			if g.RetryOf == f.UID {
				return true
			}
		}
		return false
	})

	a.click("row.ep-20")
	a.fact("details.uid", is(r.UID))
	a.click("details.cancel")
	waitFor(t, 30*time.Second, "the cancel", func() bool {
		g := a.control(r.UID)
		return g.Result == "failure" && g.FailureReason == "aborted"
	})
}

// TestHistoryAndSearch: active fetches come first, then the history; the
// search field filters by title, app, file name and state as it is
// typed; Clear all completed empties the history.
func TestHistoryAndSearch(t *testing.T) {
	env := desktopenv.Start(t)
	env.StartWM(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	a.window()
	var settled []registration
	for i := 1; i <= 4; i++ {
		settled = append(settled, a.fetch(fmt.Sprintf("ep-%d", i), fmt.Sprintf("Episode %d", i),
			[]string{srv.URL + fmt.Sprintf("/gen/episode-%d.mp3?size=2000", i)}, nil))
	}
	settled = append(settled, a.fetch("map-es", "Map of Spain", []string{srv.URL + "/gen/spain-2026.osm.pbf?size=3000"}, nil))
	settled = append(settled, a.fetch("map-fr", "Map of France", []string{srv.URL + "/status/404"}, nil))
	for _, r := range settled {
		waitFor(t, 30*time.Second, "the history", func() bool { return a.registration(r.UID).Result != "" })
	}
	a.fetch("live", "Live show", []string{srv.URL + "/hold/live.mp3"}, nil)
	a.fact("list.first", is("Live show"))
	waitFor(t, 30*time.Second, "the notifications", func() bool { return env.Dunstctl(t, "count", "displayed") == "6" })
	env.Dunstctl(t, "close-all") // off the window for its screenshot
	a.fact("list.total", is("7"))

	for _, c := range []struct{ query, shown string }{
		{"map", "2"}, {"episode 3", "1"}, {"spain-2026", "1"}, {"failed", "1"}, {"com.example.podcasts", "7"},
		{"downloading", "1"}, {"nothing like it", "0"},
	} {
		a.typeInto("search", c.query)
		a.fact("list.shown", is(c.shown))
		if c.query == "map" {
			a.shotWindow("bgfetch", "history-search")
		}
	}
	a.typeInto("search", "")
	a.fact("list.shown", is("7"))
	a.click("toolbar.clear")
	a.fact("list.total", is("1"))
	srv.Release()
}

// TestPasteAndDrop: Ctrl+V of text with links (put on the clipboard with
// xclip) and a drop of links (an XDND drag from another X client, as a
// browser makes) open the Add form filled in; Download fetches them.
func TestPasteAndDrop(t *testing.T) {
	env := desktopenv.Start(t)
	env.StartWM(t)
	srv := newFileServer(t)
	a := startApp(t, env)
	win := a.window()

	one, two := srv.URL+"/gen/one.bin?size=1000", srv.URL+"/gen/two.bin?size=2000"
	clip := env.Command(context.Background(), "xclip", "-selection", "clipboard", "-i")
	clip.Stdin = strings.NewReader("Two files: " + one + " and\n(" + two + ").")
	if err := clip.Run(); err != nil {
		t.Fatalf("xclip: %v", err)
	}
	a.click("list") // the window has the focus, no text field
	a.keys("ctrl+v")
	a.fact("add.urls", is(one+"\n"+two))
	a.shotWindow("bgfetch", "paste")
	a.click("add.submit")
	for _, name := range []string{"one.bin", "two.bin"} {
		waitFor(t, 30*time.Second, name+" in Downloads", func() bool {
			_, err := os.Stat(filepath.Join(a.home, "Downloads", name))
			return err == nil
		})
	}

	dropped := srv.URL + "/gen/dropped%20file.bin?size=3000"
	g := a.geometry(win)
	x, y := fmt.Sprint(g.Min.X+g.Dx()/2), fmt.Sprint(g.Min.Y+g.Dy()/2)
	a.xdotool("mousemove", x, y, "sleep", "0.2")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if out, err := env.Command(ctx, xdndSource, win, x, y, dropped).CombinedOutput(); err != nil {
		t.Fatalf("xdndsource: %v %s", err, out)
	}
	a.fact("add.urls", is(dropped))
	a.click("add.submit")
	waitFor(t, 30*time.Second, "the dropped link fetched", func() bool {
		_, err := os.Stat(filepath.Join(a.home, "Downloads", "dropped file.bin"))
		return err == nil
	})
}
