//go:build unix && !darwin

package app

import (
	"log/slog"
	"os"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"
)

// sessionUnavailable says why this session can show no desktop app: it
// needs a display and a session D-Bus (the tray, notifications and the
// single-instance Show all live there).
func sessionUnavailable() string {
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

// The running desktop app owns ID on the session bus and answers Show, so
// that a second `bgfetch` brings its window up instead of failing.
const (
	instancePath  = dbus.ObjectPath("/io/github/bgfetch/bgfetch")
	instanceIface = ID
)

type instance struct{ da *desktopApp }

// Show is the D-Bus method a second instance calls.
func (i instance) Show() *dbus.Error {
	fyne.Do(i.da.show)
	return nil
}

// exportShow claims the bus name; failing that (another data dir's app
// has it) is harmless.
func exportShow(da *desktopApp, logger *slog.Logger) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return
	}
	if err := conn.Export(instance{da}, instancePath, instanceIface); err != nil {
		conn.Close()
		return
	}
	reply, err := conn.RequestName(ID, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		logger.Debug("bgfetch: another instance owns the app's bus name", "err", err)
		conn.Close()
		return
	}
	// The connection lives as long as the process.
}

// showRunning asks a running desktop app to show its window (the bus
// name is per user, not per data directory).
func showRunning(string) bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	return conn.Object(ID, instancePath).Call(instanceIface+".Show", 0).Err == nil
}
