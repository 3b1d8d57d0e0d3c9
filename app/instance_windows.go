package app

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/systray"

	"github.com/bgfetch/bgfetch/api/cli"
	"github.com/bgfetch/bgfetch/icons"
	"github.com/bgfetch/bgfetch/internal/winapp"
)

// sessionUnavailable: a Windows session always has its desktop, taskbar
// and notification area.
func sessionUnavailable() string { return "" }

// exportShow gives the running desktop app its instance window
// (internal/winapp): a second start's Show brings the window up, a toast's
// click forwarded by `bgfetch.exe --activate` fires backgroundfetchclick,
// and log-off or shutdown checkpoints everything and quits. It also
// registers, per user, the toasts' AppUserModelID and the bgfetch: URL
// protocol for this exe, so that the portable exe's toasts click through
// as the installed one's do.
func exportShow(da *desktopApp, logger *slog.Logger) {
	dir := da.daemon.DataDir()
	stop, err := winapp.Listen(dir, winapp.Handlers{
		Show:  func() { fyne.Do(da.show) },
		Click: func(uid string) { fyne.Do(func() { da.view.Activate(uid) }) },
		EndSession: func() {
			da.shutdown() // returns once every transfer is checkpointed
			fyne.Do(da.fyne.Quit)
			// The UI thread may sit in a modal loop (an open tray
			// menu) and never get to Quit; Windows ends the process
			// after WM_ENDSESSION anyway. Everything is saved by now.
			go func() {
				time.Sleep(5 * time.Second)
				os.Exit(cli.ExitOK)
			}()
		},
	})
	if err != nil {
		logger.Warn("bgfetch: no instance window: a second start, toast clicks and log-off will not reach this instance", "err", err)
		stop = func() {}
	}
	da.release = func() {
		stop()
		// Fyne ends its tray only when a window is up at Quit: take the
		// notification-area icon (and the tray's window) down here, or
		// a ghost icon stays and ExitProcess tears the window down under
		// an exiting Go runtime (a crash, seen under Wine).
		if da.tray != nil {
			systray.Quit()
		}
	}
	if err := registerShell(dir); err != nil {
		logger.Warn("bgfetch: cannot register the bgfetch: protocol; toasts will not click through", "err", err)
	}
}

// registerShell writes the toast sender's icon into the data directory and
// the per-user registry entries (winapp.Register) for this exe.
func registerShell(dataDir string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	icon := filepath.Join(dataDir, "bgfetch.png")
	if _, err := os.Stat(icon); errors.Is(err, os.ErrNotExist) {
		if png := icons.AppIconAt(128); png != nil {
			os.WriteFile(icon, png, 0o644)
		}
	}
	return winapp.Register(exe, ID, "bgfetch", icon)
}

// showRunning asks the instance on dataDir to show its window.
func showRunning(dataDir string) bool { return winapp.Show(dataDir) == nil }
