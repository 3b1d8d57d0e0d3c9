// Package app is the bgfetch desktop application: it starts the daemon
// (API, engine, handler delivery) through package api, then the Fyne
// progress window (package app/ui), the system tray (package tray) and the
// settle notifications (package app/notify), and wires every click back to
// one call, Manager.Click.
//
// With no display or no session D-Bus it logs one line and runs headless:
// the API and the transfers keep working. It must not hold engine state of
// its own: everything it shows comes from the Manager and its event bus.
package app
