//go:build unix && !darwin

package app

import (
	"net/url"
	"time"

	"github.com/godbus/dbus/v5"
)

// showInFolder asks the file manager to show path selected
// (org.freedesktop.FileManager1.ShowItems, which Nautilus, Nemo, Caja,
// Dolphin and Thunar answer); false when none answers, and the caller
// opens the folder instead.
func showInFolder(path string) bool {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return false
	}
	defer conn.Close()
	u := url.URL{Scheme: "file", Path: path}
	obj := conn.Object("org.freedesktop.FileManager1", "/org/freedesktop/FileManager1")
	call := obj.Call("org.freedesktop.FileManager1.ShowItems", 0, []string{u.String()}, "bgfetch-"+time.Now().Format("150405"))
	return call.Err == nil
}
