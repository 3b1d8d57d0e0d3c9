// Package app is the bgfetch desktop application (Desktop, run by the CLI's
// serve over a started daemon): the Fyne progress window (package app/ui),
// the system tray (package tray) and the settle notifications (package
// app/notify), with every click wired back to one call, Manager.Click.
//
// Desktop.Unavailable tells the CLI when there can be no UI (no display, no
// session D-Bus); the CLI then serves headless. The app holds no engine
// state of its own: everything it shows comes from the Manager and its
// event bus, except desktop.json in the data dir (the Add form's folder,
// prefs.go). It also owns the settings window (settings.go), the language
// (locale.go: the user's locale picks the internal/words catalogue), an
// idle trim of freed memory (trim.go) and the desktop tests' hooks
// (testhooks.go: frame probe, UI map), off unless asked for.
package app
