package winapp

import (
	"errors"
	"time"
)

// ClassName is the window class of every instance's hidden window.
const ClassName = "bgfetchInstance"

// ErrNotRunning: no instance has a window for that data directory.
var ErrNotRunning = errors.New("no bgfetch instance runs on that data directory")

// Handlers answer the instance window's messages. Each runs on the
// window's thread; nil ones are refused.
type Handlers struct {
	// EndSession checkpoints and stops everything, and returns when
	// that is done: the session ends (log-off, restart, shutdown) or
	// the process was asked to close. Called at most once.
	EndSession func()
	// Show brings the window up (a second start of bgfetch).
	Show func()
	// Click fires backgroundfetchclick for uid (a toast was clicked).
	Click func(uid string)
}

// Listen creates the hidden instance window of the instance on dataDir.
// stop destroys it (before the process exits: a window left for
// ExitProcess to tear down would call back into a Go runtime that is
// exiting). Elsewhere than on Windows it does nothing.
func Listen(dataDir string, h Handlers) (stop func(), err error) { return listen(dataDir, h) }

// Show asks the instance on dataDir to show its window.
func Show(dataDir string) error { return send(dataDir, "show") }

// Click forwards a toast's click on registration uid to the instance on
// dataDir.
func Click(dataDir, uid string) error { return send(dataDir, "click "+uid) }

// EndSession sends the instance on dataDir what Windows sends at log-off
// (WM_QUERYENDSESSION, then WM_ENDSESSION) and returns once it has shut
// down its engine. The test bed stops the GUI exe this way.
func EndSession(dataDir string, timeout time.Duration) error { return endSession(dataDir, timeout) }
