package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/api/datadir"
	"github.com/bgfetch/bgfetch/api/delivery"
	"github.com/bgfetch/bgfetch/api/server"
	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/internal/redact"
	"github.com/bgfetch/bgfetch/persistence"
)

// ErrAlreadyRunning matches (errors.Is) the error Start returns when
// another bgfetch holds the data directory.
var ErrAlreadyRunning = errors.New("bgfetch is already running")

// AlreadyRunningError names the running instance's endpoint.
type AlreadyRunningError struct {
	DataDir  string
	Endpoint string // "" when it has not announced itself yet
}

func (e *AlreadyRunningError) Error() string {
	if e.Endpoint == "" {
		return fmt.Sprintf("bgfetch is already running with data directory %s (still starting)", e.DataDir)
	}
	return fmt.Sprintf("bgfetch is already running (endpoint %s)", e.Endpoint)
}

func (e *AlreadyRunningError) Is(target error) bool { return target == ErrAlreadyRunning }

// Options configure Start. Zero values take the defaults.
type Options struct {
	// DataDir is where everything lives (datadir.Resolve("") when empty).
	DataDir string
	// Listen is a --listen value (the data dir's default socket when empty).
	Listen string
	// MaxConnections is the engine's global connection limit.
	MaxConnections int
	Logger         *slog.Logger
	// Handler tunes event delivery to app handlers (tests shorten it).
	Handler delivery.Options
	// ConnLimits caps the API's connections (server.DefaultConnLimits
	// when zero: derived from the file descriptor limit).
	ConnLimits server.ConnLimits
	// Engine, when set, adjusts the engine's configuration before it
	// starts (tests shorten its timings). DataDir, Store and Logger are
	// already filled in.
	Engine func(*downloads.Config)
}

// Daemon is a running bgfetch: store, engine, API and handler dispatcher.
type Daemon struct {
	dataDir  string
	endpoint string
	store    *persistence.Store
	manager  *downloads.Manager
	http     *http.Server
	logger   *slog.Logger

	stop      context.CancelFunc // ends streams and the dispatcher
	done      sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start opens the data directory, starts the engine, serves the API
// and delivers events to handlers. It writes DATA_DIR/endpoint last, once
// everything answers. A second daemon on the same data directory gets an
// *AlreadyRunningError.
func Start(ctx context.Context, opts Options) (_ *Daemon, err error) {
	dir, err := datadir.Resolve(opts.DataDir)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	addr, err := ParseListen(opts.Listen, dir)
	if err != nil {
		return nil, err
	}
	if was, err := datadir.Prepare(dir); err != nil {
		return nil, err
	} else if was != 0 {
		logger.Info("data directory made private", "dataDir", dir, "was", fmt.Sprintf("%04o", was), "now", "0700")
	}
	store, err := persistence.Open(dir, persistence.Options{Logger: logger})
	if errors.Is(err, persistence.ErrAlreadyRunning) {
		ep, _ := datadir.ReadEndpoint(dir)
		return nil, &AlreadyRunningError{DataDir: dir, Endpoint: ep}
	}
	if err != nil {
		return nil, err
	}
	var cleanup []func()
	defer func() {
		if err != nil {
			for i := len(cleanup) - 1; i >= 0; i-- {
				cleanup[i]()
			}
		}
	}()
	cleanup = append(cleanup, func() { store.Close() })

	// A crashed daemon may have left its announcement behind.
	if err := datadir.RemoveEndpoint(dir); err != nil {
		return nil, err
	}
	cfg := downloads.Config{DataDir: dir, Store: store, MaxConnections: opts.MaxConnections, Logger: logger, WatchNetwork: true}
	if opts.Engine != nil {
		opts.Engine(&cfg)
	}
	manager, err := downloads.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("start the engine: %w", err)
	}
	cleanup = append(cleanup, func() { manager.Close() })

	token, err := datadir.LoadOrCreateToken(dir)
	if err != nil {
		return nil, err
	}
	redact.Secret(token) // never in a log, whatever logs it
	listener, endpoint, err := listen(addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s:%s: %w", addr.Network, addr.Address, err)
	}
	cleanup = append(cleanup, func() { listener.Close() })

	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	d := &Daemon{dataDir: dir, endpoint: endpoint, store: store, manager: manager, logger: logger, stop: stop}
	limits := opts.ConnLimits
	if limits.Total <= 0 {
		limits = server.DefaultConnLimits()
	}
	d.serve(runCtx, listener, token, opts.Handler, limits)
	if err := datadir.WriteEndpoint(dir, endpoint); err != nil {
		stop()
		d.http.Close()
		d.done.Wait()
		return nil, fmt.Errorf("write endpoint file: %w", err)
	}
	logger.Info("bgfetch is ready", "endpoint", endpoint, "dataDir", dir)
	return d, nil
}

// serve runs the API on listener and handler delivery until ctx ends.
func (d *Daemon) serve(ctx context.Context, listener net.Listener, token string, hopts delivery.Options, limits server.ConnLimits) {
	api := server.New(d.manager, token, d.logger)
	d.http, listener = api.HTTPServer(listener, limits, ctx, slog.NewLogLogger(d.logger.Handler(), slog.LevelWarn))
	d.done.Add(2)
	go func() {
		defer d.done.Done()
		if err := d.http.Serve(listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			d.logger.Error("API server stopped", "err", err)
		}
	}()
	if hopts.Logger == nil {
		hopts.Logger = d.logger
	}
	go func() {
		defer d.done.Done()
		delivery.New(d.manager, hopts).Run(ctx)
	}()
}

// Manager is the daemon's engine (the desktop app drives its UI with it).
func (d *Daemon) Manager() *downloads.Manager { return d.manager }

// Endpoint is what DATA_DIR/endpoint says: unix:/path or http://127.0.0.1:PORT.
func (d *Daemon) Endpoint() string { return d.endpoint }

// DataDir is the absolute data directory.
func (d *Daemon) DataDir() string { return d.dataDir }

// Close withdraws the endpoint, stops serving and delivering, checkpoints
// every transfer and closes the store. It is safe to call more than once.
func (d *Daemon) Close() error {
	d.closeOnce.Do(func() {
		errs := []error{datadir.RemoveEndpoint(d.dataDir)}
		d.stop() // ends event streams, waiting bodies and the dispatcher
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := d.http.Shutdown(shutdownCtx); err != nil {
			d.http.Close()
		}
		cancel()
		d.done.Wait()
		errs = append(errs, d.manager.Close(), d.store.Close())
		d.closeErr = errors.Join(errs...)
		d.logger.Info("bgfetch stopped", "dataDir", d.dataDir)
	})
	return d.closeErr
}
