//go:build unix && !darwin

package tray

import "github.com/godbus/dbus/v5"

// WatcherName is the bus name of the StatusNotifierItem host's watcher.
const WatcherName = "org.kde.StatusNotifierWatcher"

// HostAvailable reports whether a tray can live here: a session bus is
// reachable and a StatusNotifierWatcher owns its name. Without a bus,
// Fyne's systray panics on Quit, so never create a tray when this is false.
func HostAvailable() bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	return WatcherOwned(conn)
}

// WatcherOwned reports whether the watcher's name has an owner on conn.
func WatcherOwned(conn *dbus.Conn) bool {
	var has bool
	err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, WatcherName).Store(&has)
	return err == nil && has
}
