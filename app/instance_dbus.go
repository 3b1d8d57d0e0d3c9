package app

import (
	"log/slog"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"
)

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

// showRunning asks a running desktop app to show its window.
func showRunning() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	return conn.Object(ID, instancePath).Call(instanceIface+".Show", 0).Err == nil
}
