// Package enginetest starts the real engine for tests outside package
// downloads: a Badger store and a downloads.Manager in a temporary data
// dir, with timings shortened, closed when the test ends. No mocks: the
// API, delivery and UI tests run against this.
package enginetest

import (
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// Engine is a running store and Manager.
type Engine struct {
	Dir     string
	Store   *persistence.Store
	Manager *downloads.Manager
}

// Logger logs to stderr at debug level when BGFETCH_TEST_LOG is set, and
// nowhere otherwise.
func Logger() *slog.Logger {
	if os.Getenv("BGFETCH_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// New starts an engine in a temporary data dir; tweak may change its
// configuration first.
func New(t testing.TB, tweak ...func(*downloads.Config)) *Engine {
	t.Helper()
	dir := t.TempDir()
	store, err := persistence.Open(dir, persistence.Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	cfg := downloads.Config{
		DataDir: dir, Store: store, Logger: Logger(), MaxConnections: 64,
		BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		ProgressInterval: 10 * time.Millisecond,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	m, err := downloads.New(cfg)
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		m.Close()
		store.Close()
	})
	return &Engine{Dir: dir, Store: store, Manager: m}
}

// WaitFor polls cond until it holds, or fails the test after timeout.
func WaitFor(t testing.TB, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Settled waits until uid has settled and returns it.
func Settled(t testing.TB, m *downloads.Manager, uid string) model.Registration {
	t.Helper()
	var reg model.Registration
	WaitFor(t, "fetch "+uid+" to settle", 10*time.Second, func() bool {
		var err error
		reg, err = m.Registration(uid)
		return err == nil && !reg.Active()
	})
	return reg
}
