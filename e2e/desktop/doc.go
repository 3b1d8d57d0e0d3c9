// Package desktop holds bgfetch's end-to-end desktop tests: the real
// binary, built in TestMain, runs on a real desktop stack started by
// package desktopenv (Xvfb, a D-Bus session bus, dunst, a
// StatusNotifierWatcher) against a loopback file server. The tests click
// the window with xdotool, act on notifications with dunstctl, drive the
// tray over its D-Bus menu, and save screenshots to e2e/out/.
//
// The app tells where its widgets are (BGFETCH_UI_MAP, app/ui/uimap.go):
// the tests click them with xdotool, under openbox, as a person would. They
// cover the settings window, the details of a fetch (copy address,
// priority, speed limit, retry, cancel), history and search, paste and drop
// (an XDND drag from testdata/xdndsource), German, the dark and light
// themes, and notifications with actions and after a restart, with dunst
// and xfce4-notifyd (Show in folder answered by Thunar).
//
// BenchmarkRSS compares the app's resident memory, window open with 100
// fetches listed, with an empty Fyne window's in the same run;
// BenchmarkHistory does so with 10,000 kept registrations and measures the
// frame times while scrolling and searching.
package desktop
