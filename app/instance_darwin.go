package app

import "log/slog"

// On macOS the desktop app needs no display variable or D-Bus: the
// window, the menu-bar extra and notifications are Fyne's and beeep's
// native routes. Untested: there is no Mac here (README).

func sessionUnavailable() string { return "" }

// exportShow: a second start cannot reach the first yet (macOS would use
// its own app activation); it prints that bgfetch is already running.
func exportShow(*desktopApp, *slog.Logger) {}

func showRunning(string) bool { return false }
