package tray

import "github.com/bgfetch/bgfetch/packaging/autostart"

// Autostart is the "Start at login" toggle: the entry that starts bgfetch
// hidden in the tray, which package packaging/autostart writes — the XDG
// autostart file on Linux (the one writer that `make install`/`make
// uninstall` and the packaging tests share), the per-user Run key on
// Windows (which the MSI's uninstall removes), a launch agent on macOS.
type Autostart struct {
	// Home is the home directory whose entry is toggled ("" = the
	// current user's; XDG_CONFIG_HOME is honoured).
	Home string
}

// DefaultAutostart is the toggle for the current user.
func DefaultAutostart() (*Autostart, error) { return &Autostart{}, nil }

// Enabled reports whether bgfetch starts at login.
func (a *Autostart) Enabled() bool { return autostart.Enabled(a.Home) }

// Set writes or removes the entry; the entry runs the binary that is
// running now (or the installed one) with --hidden.
func (a *Autostart) Set(enabled bool) error {
	if enabled {
		return autostart.Enable(a.Home)
	}
	return autostart.Disable(a.Home)
}
