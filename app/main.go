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
	"github.com/bgfetch/bgfetch/internal/winapp"
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
	mgr := d.Manager()
	da := &desktopApp{fyne: a, mgr: mgr, daemon: d, logger: logger, stopPoll: make(chan struct{})}
	iconLoader := &icons.Loader{Cache: mgr.Icons()}
	da.buildWindow(iconLoader)

	sub := mgr.Subscribe("")
	da.view.SetAll(mgr.List())
	da.view.Start()
	da.notify = notify.New(notify.Options{
		AppName:      "bgfetch",
		DesktopEntry: ID, // installed as share/applications/<ID>.desktop
		IconDir:      filepath.Join(d.DataDir(), "notification-icons"),
		DefaultIcon:  icons.AppIconAt(128),
		IconFor:      func(r model.Registration) []byte { return iconLoader.Cached(r.Icons) },
		OnClick:      func(uid string) { fyne.Do(func() { da.view.Activate(uid) }) },
		ClickURL:     func(uid string) string { return winapp.ClickURL(d.DataDir(), uid) },
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
	exportShow(da, logger)

	if !o.Hidden || !hasTray {
		da.win.Show()
	}
	if dk.click != "" {
		fyne.Do(func() { da.view.Activate(dk.click) })
	}
	logger.Info("bgfetch: desktop app running", "endpoint", d.Endpoint(), "tray", hasTray, "clickThrough", da.notify.ClickThrough())
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
		DefaultIcon: rowIcon,
		Icons:       ui.NewIconLoader(iconLoader),
		OpenPath:    func(p string) { _ = da.fyne.OpenURL(fileURL(p, runtime.GOOS == "windows")) },
		Log:         da.logger,
	})
	da.win = da.fyne.NewWindow("bgfetch")
	da.win.SetIcon(appIcon)
	da.view.Attach(da.win)
	da.win.Resize(fyne.NewSize(860, 520))
	da.win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("File",
		fyne.NewMenuItem("Add…", da.view.ShowAdd),
		fyne.NewMenuItem("Pause all", da.mgr.PauseAll),
		fyne.NewMenuItem("Resume all", da.mgr.ResumeAll),
		fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: "Quit", IsQuit: true, Action: da.quit},
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
	auto, err := tray.DefaultAutostart()
	if err != nil {
		auto = nil
	}
	da.tray = tray.New(desk, da.mgr, tray.Options{
		Show:      da.show,
		Quit:      da.quit,
		Autostart: auto,
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

// poll reads the full list once per tray.MinInterval: the tray, rebuilt
// at most that often, takes its entries from it, and the window drops
// registrations that went without an event (history the engine's
// maintenance forgot). New fetches arrive as state events.
func (da *desktopApp) poll() {
	t := time.NewTicker(tray.MinInterval)
	defer t.Stop()
	first := true
	for {
		select {
		case <-da.stopPoll:
			return
		case <-t.C:
			regs := da.mgr.List()
			da.view.Reconcile(regs)
			if da.tray != nil {
				resend := first // the tray is up by now (tray.Resend)
				fyne.Do(func() {
					if resend {
						da.tray.Resend()
					}
					da.tray.Refresh(regs)
				})
			}
			first = false
		}
	}
}
