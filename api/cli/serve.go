package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/bgfetch/bgfetch/api"
)

type serveFlags struct {
	headless         bool
	listen           string
	maxConnections   int
	handlerTimeout   time.Duration
	handlerRetryBase time.Duration
	verbose          bool
}

func serveCommand() *command {
	f := &serveFlags{}
	return &command{
		name: "serve", args: "--headless", summary: "serve the API and run transfers with no UI",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&f.headless, "headless", false, "no UI (the only mode of serve; the desktop app is plain `bgfetch`)")
			fs.StringVar(&f.listen, "listen", "", "unix:/path/api.sock or tcp:127.0.0.1:PORT (PORT 0 picks one); default: a socket for the data dir")
			fs.IntVar(&f.maxConnections, "max-connections", 6, "simultaneous transfers across all fetches")
			fs.DurationVar(&f.handlerTimeout, "handler-timeout", 60*time.Second, "how long an app handler may take before it is killed")
			fs.DurationVar(&f.handlerRetryBase, "handler-retry-base", time.Second, "first retry delay of a failed handler (doubles up to 60s)")
			fs.BoolVar(&f.verbose, "verbose", false, "log debug details")
		},
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			if !want(e, "serve", args, 0, "no arguments") {
				return ExitUsage
			}
			return serve(ctx, e, f)
		},
	}
}

// serve runs the daemon with no UI until ctx ends (a signal).
func serve(ctx context.Context, e *env, f *serveFlags) int {
	level := slog.LevelInfo
	if f.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
	d, err := api.StartDaemon(ctx, api.DaemonOptions{
		DataDir:        e.dataDir,
		Listen:         f.listen,
		MaxConnections: f.maxConnections,
		Logger:         logger,
		Handler:        api.DispatcherOptions{Timeout: f.handlerTimeout, RetryBase: f.handlerRetryBase},
	})
	if errors.Is(err, api.ErrAlreadyRunning) {
		// api.md: a second bgfetch says so and exits 0.
		fmt.Fprintln(e.stdout, err)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "bgfetch serve: %v\n", err)
		return ExitFailure
	}
	fmt.Fprintf(e.stderr, "bgfetch %s: serving on %s (data dir %s)\n", "serve", d.Endpoint(), d.DataDir())
	<-ctx.Done()
	if err := d.Close(); err != nil {
		fmt.Fprintf(e.stderr, "bgfetch serve: shutting down: %v\n", err)
		return ExitFailure
	}
	return ExitOK
}
