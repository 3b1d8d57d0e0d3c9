package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/systray"
	"github.com/godbus/dbus/v5"

	"github.com/bgfetch/bgfetch/api"
	"github.com/bgfetch/bgfetch/app/notify"
	"github.com/bgfetch/bgfetch/app/ui"
	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/icons"
	"github.com/bgfetch/bgfetch/tray"
)

// ID is the application id (FyneApp.toml, the desktop entry, D-Bus).
const ID = "io.github.bgfetch.bgfetch"

// Exit codes, as the CLI's.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

type options struct {
	dataDir  string
	listen   string
	hidden   bool
	headless bool
	verbose  bool
	maxConn  int
}

// Main runs the desktop app: `bgfetch` with no command. It starts the
// daemon (API, engine, handler delivery), then the window, tray and
// notifications. With no display or no session D-Bus it logs one line and
// serves headless. It returns the process exit code.
func Main(args []string) int {
	return run(args, os.Stdout, os.Stderr)
}

// Wants reports whether args ask for the desktop app: only its flags
// (--data-dir, --listen, --hidden, --headless, --verbose,
// --max-connections) and no command. main.go calls Main when it is true
// and the CLI otherwise (so --version, --help and commands go there).
func Wants(args []string) bool {
	var o options
	fs := o.flags(io.Discard)
	return fs.Parse(args) == nil && fs.NArg() == 0
}

func (o *options) flags(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("bgfetch", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.dataDir, "data-dir", "", "data directory (default $BGFETCH_DATA_DIR, else ~/.local/share/bgfetch)")
	fs.StringVar(&o.listen, "listen", "", "unix:/path/api.sock or tcp:127.0.0.1:PORT")
	fs.BoolVar(&o.hidden, "hidden", false, "start in the tray without showing the window (used at login)")
	fs.BoolVar(&o.headless, "headless", false, "no window, tray or notifications")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details")
	fs.IntVar(&o.maxConn, "max-connections", 0, "simultaneous transfers across all fetches (default 6)")
	_ = fs.String("app", "", "ignored by the desktop app")
	_ = fs.Bool("json", false, "ignored by the desktop app")
	return fs
}

func run(args []string, stdout, stderr io.Writer) int {
	var o options
	fs := o.flags(stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bgfetch: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	d, err := api.StartDaemon(ctx, api.DaemonOptions{DataDir: o.dataDir, Listen: o.listen, Logger: logger, MaxConnections: o.maxConn})
	if errors.Is(err, api.ErrAlreadyRunning) {
		if showRunning() {
			fmt.Fprintln(stdout, "bgfetch is already running; showing its window")
		} else {
			fmt.Fprintln(stdout, err)
		}
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "bgfetch: %v\n", err)
		return exitFailure
	}

	if why := o.headlessReason(); why != "" {
		logger.Info("bgfetch: " + why + "; running headless (API and transfers, no window, tray or notifications) on " + d.Endpoint())
		<-ctx.Done()
		return closeDaemon(d, stderr)
	}
	stop() // from here on Fyne handles SIGINT/SIGTERM as Quit
	return runDesktop(d, o, logger, stderr)
}

// headlessReason says why there can be no desktop UI, "" when there can.
func (o options) headlessReason() string {
	if o.headless {
		return "--headless given"
	}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return "no display ($DISPLAY and $WAYLAND_DISPLAY are unset)"
	}
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return "no session D-Bus (" + err.Error() + ")"
	}
	conn.Close()
	return ""
}

func closeDaemon(d *api.Daemon, stderr io.Writer) int {
	if err := d.Close(); err != nil {
		fmt.Fprintf(stderr, "bgfetch: shutting down: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// desktopApp is the running UI.
type desktopApp struct {
	fyne   fyne.App
	win    fyne.Window
	view   *ui.View
	tray   *tray.Tray
	notify *notify.Notifier
	mgr    *downloads.Manager
	daemon *api.Daemon
	logger *slog.Logger

	quitOnce sync.Once
	closeErr error
	stopPoll chan struct{}
}

func runDesktop(d *api.Daemon, o options, logger *slog.Logger, stderr io.Writer) int {
	if os.Getenv("GOGC") == "" {
		// A resident tray app allocates little once started; a smaller
		// heap goal keeps its footprint near the live heap (BenchmarkRSS).
		debug.SetGCPercent(50)
	}
	a := fyneapp.NewWithID(ID)
	appIcon := fyne.NewStaticResource("bgfetch.png", icons.AppIcon())
	// Rows draw the default icon at 48 units: a 128 px image is enough and
	// decodes to a quarter of the 256 px one in every row on screen.
	rowIcon := appIcon
	if small := icons.AppIconAt(128); small != nil {
		rowIcon = fyne.NewStaticResource("bgfetch-128.png", small)
	}
	a.SetIcon(appIcon)
	mgr := d.Manager()
	da := &desktopApp{fyne: a, mgr: mgr, daemon: d, logger: logger, stopPoll: make(chan struct{})}

	loader := ui.NewIconLoader(mgr)
	loader.Choose = chooseIcon
	loader.Prepare = prepareIcon
	da.view = ui.NewView(mgr, ui.Options{
		DefaultIcon: rowIcon,
		Icons:       loader,
		OpenPath:    func(p string) { _ = a.OpenURL(&url.URL{Scheme: "file", Path: p}) },
		Log:         logger,
	})
	da.win = a.NewWindow("bgfetch")
	da.win.SetIcon(appIcon)
	da.view.Attach(da.win)
	da.win.Resize(fyne.NewSize(860, 520))
	da.win.SetMainMenu(fyne.NewMainMenu(fyne.NewMenu("File",
		fyne.NewMenuItem("Add…", da.view.ShowAdd),
		fyne.NewMenuItem("Pause all", mgr.PauseAll),
		fyne.NewMenuItem("Resume all", mgr.ResumeAll),
		fyne.NewMenuItemSeparator(),
		&fyne.MenuItem{Label: "Quit", IsQuit: true, Action: da.quit},
	)))

	sub := mgr.Subscribe("")
	da.view.SetAll(mgr.List())
	da.view.Start()

	da.notify = notify.New(notify.Options{
		AppName:      "bgfetch",
		DesktopEntry: ID, // installed as share/applications/<ID>.desktop
		IconDir:      filepath.Join(d.DataDir(), "notification-icons"),
		DefaultIcon:  icons.AppIconAt(128),
		IconFor:      func(r downloads.Registration) []byte { return cachedIcon(mgr, r) },
		OnClick:      func(uid string) { fyne.Do(func() { da.view.Activate(uid) }) },
		Log:          logger,
	})

	desk, isDesk := a.(desktop.App)
	hasTray := isDesk && tray.HostAvailable()
	if hasTray {
		auto, err := tray.DefaultAutostart()
		if err != nil {
			auto = nil
		}
		da.tray = tray.New(desk, mgr, tray.Options{
			Show:      da.show,
			Quit:      da.quit,
			Autostart: auto,
			// Fyne's desktop.App has no tooltip call; its systray does.
			Tooltip: systray.SetTooltip,
		})
		da.tray.Refresh(mgr.List())
		da.win.SetCloseIntercept(da.win.Hide)
	} else {
		logger.Info("bgfetch: no system tray host (org.kde.StatusNotifierWatcher); closing the window quits")
		da.win.SetCloseIntercept(da.quit)
	}

	go func() {
		for ev := range sub.C {
			da.view.Update(ev.Registration)
			da.notify.Handle(ev)
		}
	}()

	go da.poll()
	exportShow(da, logger)

	if !o.hidden || !hasTray {
		da.win.Show()
	}
	logger.Info("bgfetch: desktop app running", "endpoint", d.Endpoint(), "tray", hasTray, "clickThrough", da.notify.ClickThrough())
	a.Run()

	// Run returns after Quit (menu, tray, or a signal Fyne caught).
	da.shutdown()
	sub.Close()
	da.notify.Close()
	if da.closeErr != nil {
		fmt.Fprintf(stderr, "bgfetch: shutting down: %v\n", da.closeErr)
		return exitFailure
	}
	return exitOK
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
	for {
		select {
		case <-da.stopPoll:
			return
		case <-t.C:
			regs := da.mgr.List()
			da.view.Reconcile(regs)
			if da.tray != nil {
				fyne.Do(func() { da.tray.Refresh(regs) })
			}
		}
	}
}

func chooseIcon(list []downloads.Icon, pixels int) (downloads.Icon, bool) {
	cands := make([]icons.Candidate, len(list))
	for i, ic := range list {
		cands[i] = icons.Candidate{Src: ic.Src, Sizes: ic.Sizes, Type: ic.Type}
	}
	best, ok := icons.Best(cands, pixels)
	if !ok {
		return downloads.Icon{}, false
	}
	return downloads.Icon{Src: best.Src, Sizes: best.Sizes, Type: best.Type}, true
}

func prepareIcon(data []byte, pixels int) ([]byte, error) {
	img, err := icons.Decode(data)
	if err != nil {
		return nil, err
	}
	out := icons.EncodePNG(icons.Scale(img, pixels))
	if out == nil {
		return nil, errors.New("icons: empty image")
	}
	return out, nil
}

// cachedIcon is the fetch's best icon if it is already in the store.
func cachedIcon(mgr *downloads.Manager, r downloads.Registration) []byte {
	ic, ok := chooseIcon(r.Icons, 96)
	if !ok {
		return nil
	}
	data, ok := mgr.CachedIcon(ic.Src)
	if !ok {
		return nil
	}
	return data
}
