package app

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"

	"github.com/bgfetch/bgfetch/api/cli"
	"github.com/bgfetch/bgfetch/api/daemon"
	"github.com/bgfetch/bgfetch/app/notify"
	"github.com/bgfetch/bgfetch/app/ui"
	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/icons"
	"github.com/bgfetch/bgfetch/internal/memtrim"
	"github.com/bgfetch/bgfetch/internal/winapp"
	"github.com/bgfetch/bgfetch/internal/words"
	"github.com/bgfetch/bgfetch/tray"
)

// ID is the application id (FyneApp.toml, the desktop entry, D-Bus).
const ID = "io.github.bgfetch.bgfetch"

// Desktop is the desktop app as the CLI's serve runs it (cli.Desktop):
// `bgfetch` with no command, or `bgfetch serve` without --headless.
type Desktop struct {
	// click is a registration uid to click once the app runs (a toast's
	// bgfetch: URL that found no running instance; see Activate).
	click string
}

var _ cli.Desktop = Desktop{}

// Unavailable says why there can be no desktop UI, "" when there can
// (instance_*.go: on Linux a display and a session D-Bus are needed;
// Windows and macOS always have their desktop).
func (Desktop) Unavailable() string { return sessionUnavailable() }

// ShowRunning asks the desktop app running on dataDir to show its window.
func (Desktop) ShowRunning(dataDir string) bool { return showRunning(dataDir) }

// desktopApp is the running UI.
type desktopApp struct {
	fyne   fyne.App
	win    fyne.Window
	view   *ui.View
	tray   *tray.Tray
	notify *notify.Notifier
	mgr    *downloads.Manager
	daemon *daemon.Daemon
	logger *slog.Logger
	words  *words.Words
	prefs  *prefs

	settingsWin fyne.Window
	autostart   *tray.Autostart
	uimap       *ui.UIMap // nil unless ui.UIMapEnv is set (desktop tests)

	quitOnce sync.Once
	closeErr error
	stopPoll chan struct{}
	release  func() // the platform's instance and tray, before exiting (exportShow)
}

// Run runs the window, tray and notifications over d until Quit (menu,
// tray, or a signal Fyne caught), then closes d.
func (dk Desktop) Run(d *daemon.Daemon, o cli.ServeOptions, logger *slog.Logger) int {
	if os.Getenv("GOGC") == "" {
		// A resident tray app allocates little once started; a smaller
		// heap goal keeps its footprint near the live heap (BenchmarkRSS).
		debug.SetGCPercent(50)
	}
	a := fyneapp.NewWithID(ID)
	migratedToFyneDo(a)
	mgr := d.Manager()
	da := &desktopApp{fyne: a, mgr: mgr, daemon: d, logger: logger, stopPoll: make(chan struct{}),
		words: systemWords(), prefs: loadPrefs(d.DataDir())}
	if os.Getenv(ui.UIMapEnv) != "" {
		da.uimap = ui.NewUIMap()
	}
	if auto, err := tray.DefaultAutostart(); err == nil {
		da.autostart = auto
	}
	iconLoader := &icons.Loader{Cache: mgr.Icons()}
	da.buildWindow(iconLoader)

	sub := mgr.Subscribe("")
	da.view.SetAll(mgr.List())
	go da.view.Model.WarmKeys()
	da.view.Start()
	da.notify = notify.New(notify.Options{
		AppName:      "bgfetch",
		DesktopEntry: ID, // installed as share/applications/<ID>.desktop
		IconDir:      filepath.Join(d.DataDir(), "notification-icons"),
		DefaultIcon:  icons.AppIconAt(128),
		IconFor:      func(r model.Registration) []byte { return iconLoader.Cached(r.Icons) },
		OnClick:      func(uid string) { fyne.Do(func() { da.view.Activate(uid) }) },
		OnAction:     func(uid, action string) { fyne.Do(func() { da.notificationAction(uid, action) }) },
		ClickURL:     func(uid string) string { return winapp.ClickURL(d.DataDir(), uid) },
		Words:        da.words,
		Enabled:      da.notificationsOn,
		StateFile:    filepath.Join(d.DataDir(), "notifications.json"),
		Log:          logger,
	})
	hasTray := da.startTray()
	go func() {
		for ev := range sub.C {
			da.view.Update(ev.Registration)
			da.notify.Handle(ev)
		}
	}()
	go da.poll()
	startFrameStats(da.stopPoll)
	startUIMap(da.uimap, da.stopPoll)
	defer startCPUProfile()()
	defer writeHeapProfile()
	exportShow(da, logger)

	if !o.Hidden || !hasTray {
		da.win.Show()
	}
	if hasTray && runtime.GOOS == "linux" {
		fyne.Do(func() { dropTrayMonitor(a) })
	}
	if dk.click != "" {
		fyne.Do(func() { da.view.Activate(dk.click) })
	}
	logger.Info("bgfetch: desktop app running", "endpoint", d.Endpoint(), "tray", hasTray,
		"clickThrough", da.notify.ClickThrough(), "listed", da.view.Model.Total(), "language", da.words.Lang())
	a.Run()

	// Run returns after Quit (menu, tray, or a signal Fyne caught).
	da.shutdown()
	sub.Close()
	da.notify.Close()
	if da.release != nil {
		da.release()
	}
	if da.closeErr != nil {
		logger.Error("bgfetch: shutting down", "err", da.closeErr)
		return cli.ExitFailure
	}
	return cli.ExitOK
}

// migratedToFyneDo tells Fyne that every call from another goroutine goes
// through fyne.Do (FyneApp.toml says so, but only `fyne package` compiles
// that in): without it a `go build` binary checks, on every refresh,
// which goroutine it is on with runtime.Stack, which made scrolling a long
// list several times slower (BenchmarkHistory).
func migratedToFyneDo(a fyne.App) {
	md := a.Metadata()
	if md.Migrations["fyneDo"] {
		return
	}
	if md.Migrations == nil {
		md.Migrations = map[string]bool{}
	}
	md.Migrations["fyneDo"] = true
	fyneapp.SetMetadata(md)
}

// buildWindow makes the progress window and its menu.
func (da *desktopApp) buildWindow(iconLoader *icons.Loader) {
	appIcon := fyne.NewStaticResource("bgfetch.png", icons.AppIcon())
	// Rows draw the default icon at 48 units: a 128 px image is enough and
	// decodes to a quarter of the 256 px one in every row on screen.
	rowIcon := appIcon
	if small := icons.AppIconAt(128); small != nil {
		rowIcon = fyne.NewStaticResource("bgfetch-128.png", small)
	}
	da.fyne.SetIcon(appIcon)
	da.view = ui.NewView(da.mgr, ui.Options{
		Words:         da.words,
		DefaultIcon:   rowIcon,
		Icons:         ui.NewIconLoader(iconLoader),
		OpenPath:      da.openPath,
		ShowInFolder:  da.showInFolder,
		DefaultFolder: da.prefs.Folder,
		Log:           da.logger,
		Map:           da.uimap,
	})
	da.view.OnSettings = da.showSettings
	da.win = da.fyne.NewWindow("bgfetch")
	da.win.SetIcon(appIcon)
	da.view.Attach(da.win)
	da.win.Resize(fyne.NewSize(900, 600))
	w := da.words
	da.win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu(w.T("menu.file"),
		fyne.NewMenuItem(w.T("menu.add"), da.view.ShowAdd),
		fyne.NewMenuItem(w.T("menu.settings"), da.showSettings),
		fyne.NewMenuItem(w.T("menu.pauseAll"), da.mgr.PauseAll),
		fyne.NewMenuItem(w.T("menu.resumeAll"), da.mgr.ResumeAll),
		fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: w.T("menu.quit"), IsQuit: true, Action: da.quit},
	)))
}

// startTray puts the tray icon up where a tray host runs; closing the
// window then hides it, else closing quits. It reports whether there is a
// tray.
func (da *desktopApp) startTray() bool {
	desk, isDesk := da.fyne.(desktop.App)
	if !isDesk || !tray.HostAvailable() {
		da.logger.Info("bgfetch: no system tray host (org.kde.StatusNotifierWatcher); closing the window quits")
		da.win.SetCloseIntercept(da.quit)
		return false
	}
	da.tray = tray.New(desk, da.mgr, tray.Options{
		Show:      da.show,
		Quit:      da.quit,
		Settings:  da.showSettings,
		Words:     da.words,
		Autostart: da.autostart,
		// Fyne's desktop.App has no tooltip call; its systray does.
		Tooltip: systray.SetTooltip,
	})
	da.tray.Refresh(da.mgr.List())
	da.win.SetCloseIntercept(da.win.Hide)
	return true
}

func (da *desktopApp) show() {
	da.win.Show()
	da.win.RequestFocus()
}

// quit checkpoints everything (Daemon.Close), then quits the UI.
func (da *desktopApp) quit() {
	da.shutdown()
	da.fyne.Quit()
}

func (da *desktopApp) shutdown() {
	da.quitOnce.Do(func() {
		close(da.stopPoll)
		da.view.Stop()
		da.closeErr = da.daemon.Close()
	})
}

// poll refreshes the tray from the window's model once per
// tray.MinInterval when the model changed (a rebuild renumbers the D-Bus
// menu, so it must not churn; and with a long history the tray's list is
// not made for nothing), and at least every trayEvery (the Start at login
// check mark). Every reconcileEvery it reads the engine's full list, so
// that the window drops registrations that went without an event
// (history the engine's maintenance forgot); new fetches arrive as state
// events. The full list is a copy of every kept registration, hence its
// slow pace, and the idle trim after it.
func (da *desktopApp) poll() {
	t := time.NewTicker(tray.MinInterval)
	defer t.Stop()
	trim := memtrim.Idle{Release: releaseMemory, Worth: trimWorth}
	lastList, lastTray := time.Now(), time.Time{}
	trayVersion := ^uint64(0)
	first := true
	for {
		select {
		case <-da.stopPoll:
			return
		case now := <-t.C:
			version := da.view.Model.Version()
			if now.Sub(lastList) >= reconcileEvery {
				lastList = now
				da.view.Reconcile(da.mgr.List())
				trim.Mark()
			}
			trim.Tick(now, da.mgr.Activity())
			if da.tray != nil && (first || version != trayVersion || now.Sub(lastTray) >= trayEvery) {
				trayVersion, lastTray = version, now
				regs, sum := da.view.Model.ForTray()
				resend := first // the tray is up by now (tray.Resend)
				fyne.Do(func() {
					if resend {
						da.tray.Resend()
					}
					da.tray.RefreshWith(regs, sum)
				})
			}
			first = false
		}
	}
}

const (
	// trimWorth is the free Go heap that makes the desktop app's trim
	// worth it, below memtrim's 4 MiB: the trim also gives back the C
	// heap's freed pages (the GL driver's), which the Go figure does not
	// see. With 100 fetches listed, 3.6-3.9 MiB of free Go heap stood
	// below 4 MiB in two of five runs and the window kept 145.6-146.7 MiB;
	// trimmed, 141.6-142.1 in six of six.
	trimWorth = 1 << 20
	// reconcileEvery is how often the window checks its rows against the
	// engine's full list.
	reconcileEvery = time.Minute
	// trayEvery is how often the tray is refreshed when nothing changed.
	trayEvery = 5 * time.Second
)
