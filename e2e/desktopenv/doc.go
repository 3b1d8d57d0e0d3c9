// Package desktopenv starts a real, private Linux desktop session for
// end-to-end tests: an Xvfb X server, a D-Bus session bus, the dunst
// notification daemon (so org.freedesktop.Notifications and dunstctl work)
// and a StatusNotifierItem watcher (org.kde.StatusNotifierWatcher) for tray
// icons.
//
// StartWith runs xfce4-notifyd or notification-daemon instead of dunst, or
// gives dunst a context menu program; StartWM adds openbox, and
// StartFileManager Thunar (org.freedesktop.FileManager1).
//
// Every test that calls Start gets its own display, bus and runtime
// directory, so packages may run in parallel; everything is killed (by
// process group) in t.Cleanup. Nothing here is a mock: if a binary is
// missing the test fails and names the Debian package to install
// (scripts/install-deps.sh desktop).
//
// This package only drives the desktop; it must not import bgfetch's own
// packages.
package desktopenv
