// Package autostart writes and removes the entry behind the tray's "Start
// at login" toggle: bgfetch's XDG autostart file on Linux and other Unix
// systems (below), the per-user Run key's "bgfetch" value on Windows
// (autostart_windows.go), a launch agent on macOS (autostart_darwin.go).
//
// The entry lives at $XDG_CONFIG_HOME/autostart/bgfetch.desktop, or
// <home>/.config/autostart/bgfetch.desktop when XDG_CONFIG_HOME is unset or
// not absolute (the XDG Base Directory rule). Its Exec line runs the
// installed binary by absolute path with --hidden, so the session starts
// bgfetch in the tray without opening a window:
//
//	Exec=/home/me/.local/bin/bgfetch --hidden
//
// Enable and Disable are idempotent: enabling twice leaves one identical
// entry, disabling when nothing is there is not an error. Writes are atomic
// (temporary file + rename), so a crash never leaves half an entry that a
// session manager would try to run.
//
// The package has no GUI dependency; the tray calls it, and so do the
// packaging checks (packaging/test-package.sh, through
// packaging/cmd/bgfetch-autostart).
package autostart
