package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bgfetch/bgfetch/api/daemon"
	"github.com/bgfetch/bgfetch/api/delivery"
	"github.com/bgfetch/bgfetch/internal/memtrim"
	"github.com/bgfetch/bgfetch/internal/redact"
	"github.com/bgfetch/bgfetch/internal/winapp"
)

// ServeOptions are the flags of `bgfetch` (the desktop app) and of
// `bgfetch serve`, parsed here once for both.
type ServeOptions struct {
	DataDir          string
	Listen           string
	Hidden           bool // start in the tray without showing the window (at login)
	Headless         bool // no window, tray or notifications
	Verbose          bool
	MaxConnections   int
	HandlerTimeout   time.Duration
	HandlerRetryBase time.Duration
}

// Desktop is the desktop app (package app), handed in by main: the CLI
// imports no UI code.
type Desktop interface {
	// Unavailable says why the desktop app cannot run here, "" when it can.
	Unavailable() string
	// ShowRunning asks the desktop app already running on dataDir to show
	// its window.
	ShowRunning(dataDir string) bool
	// Run runs the window, tray and notifications over a started daemon
	// until the app quits, and returns the exit status.
	Run(d *daemon.Daemon, opts ServeOptions, logger *slog.Logger) int
}

func (o *ServeOptions) register(fs *flag.FlagSet) {
	fs.BoolVar(&o.Headless, "headless", false, "no window, tray or notifications: the API and transfers only")
	fs.BoolVar(&o.Hidden, "hidden", false, "start in the tray without showing the window (used at login)")
	fs.StringVar(&o.Listen, "listen", "", "unix:/path/api.sock or tcp:127.0.0.1:PORT (PORT 0 picks one); default: a socket for the data dir (Windows: tcp:127.0.0.1:0)")
	fs.IntVar(&o.MaxConnections, "max-connections", 0, "simultaneous connections across all fetches, for this run (default: the setting max-connections, 16)")
	fs.DurationVar(&o.HandlerTimeout, "handler-timeout", 60*time.Second, "how long an app handler may take before it is killed")
	fs.DurationVar(&o.HandlerRetryBase, "handler-retry-base", time.Second, "first retry delay of a failed handler (doubles up to 60s)")
	fs.BoolVar(&o.Verbose, "verbose", false, "log debug details")
}

func serveCommand(desktop Desktop) *command {
	o := &ServeOptions{}
	return &command{
		name: "serve", args: "[--headless]", summary: "run bgfetch: the desktop app, or with --headless the API and transfers alone",
		flags: o.register,
		run: func(_ context.Context, e *env, _ *flag.FlagSet, args []string) int {
			if !want(e, "serve", args, 0, "no arguments") {
				return ExitUsage
			}
			o.DataDir = e.dataDir
			return serve(e, *o, desktop)
		},
	}
}

// serve starts the daemon, then the desktop app when there is one and it
// can run here, else serves headless until SIGINT or SIGTERM.
func serve(e *env, o ServeOptions, desktop Desktop) int {
	level := slog.LevelInfo
	if o.Verbose {
		level = slog.LevelDebug
	}
	// Every line goes through redact: no token, credential or cookie in
	// the log, --verbose included.
	logger := slog.New(redact.Handler(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level})))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	d, err := daemon.Start(ctx, daemon.Options{
		DataDir:        o.DataDir,
		Listen:         o.Listen,
		MaxConnections: o.MaxConnections,
		Logger:         logger,
		Handler:        delivery.Options{Timeout: o.HandlerTimeout, RetryBase: o.HandlerRetryBase},
	})
	var running *daemon.AlreadyRunningError
	if errors.As(err, &running) {
		// api.md: a second bgfetch shows the running one (or says it runs)
		// and exits 0.
		if !o.Headless && desktop != nil && desktop.ShowRunning(running.DataDir) {
			fmt.Fprintln(e.stdout, "bgfetch is already running; showing its window")
		} else {
			fmt.Fprintln(e.stdout, err)
		}
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "bgfetch: %v\n", err)
		return ExitFailure
	}
	why := "--headless given"
	switch {
	case o.Headless:
	case desktop == nil:
		why = "built without the desktop app"
	default:
		why = desktop.Unavailable()
	}
	if why == "" {
		stop() // from here on the desktop app handles SIGINT and SIGTERM as Quit
		return desktop.Run(d, o, logger)
	}
	logger.Info("bgfetch: "+why+"; serving headless (API and transfers, no window, tray or notifications)",
		"endpoint", d.Endpoint(), "dataDir", d.DataDir())
	ctx, endSession := context.WithCancel(ctx)
	defer endSession()
	go memtrim.Run(ctx.Done(), memtrim.DaemonEvery, d.Manager().Activity, nil)
	closed := make(chan struct{})
	stopWindow := listenWindows(d, logger, func() { endSession(); <-closed })
	<-ctx.Done()
	err = d.Close()
	close(closed)
	stopWindow()
	if err != nil {
		fmt.Fprintf(e.stderr, "bgfetch: shutting down: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}

// listenWindows gives a headless daemon its Windows instance window
// (internal/winapp; nothing elsewhere): log-off, shutdown and WM_CLOSE
// call shutdown, which returns once the daemon is closed, and a toast's
// click forwarded by the protocol handler fires backgroundfetchclick.
func listenWindows(d *daemon.Daemon, logger *slog.Logger, shutdown func()) (stop func()) {
	stop, err := winapp.Listen(d.DataDir(), winapp.Handlers{
		EndSession: shutdown,
		Click: func(uid string) {
			if err := d.Manager().Click(uid); err != nil {
				logger.Warn("bgfetch: click", "uid", uid, "err", err)
			}
		},
	})
	if err != nil {
		logger.Warn("bgfetch: no instance window: log-off ends bgfetch abruptly (its checkpoints keep that safe)", "err", err)
		return func() {}
	}
	return stop
}
