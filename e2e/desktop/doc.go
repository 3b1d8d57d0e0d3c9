// Package desktop holds bgfetch's end-to-end desktop tests: the real
// binary, built in TestMain, runs on a real desktop stack started by
// package desktopenv (Xvfb, a D-Bus session bus, dunst, a
// StatusNotifierWatcher) against a loopback file server. The tests click
// the window with xdotool, act on notifications with dunstctl, drive the
// tray over its D-Bus menu, and save screenshots to e2e/out/.
//
// BenchmarkRSS compares the app's resident memory, window open with 100
// fetches listed, with an empty Fyne window's in the same run.
package desktop
