//go:build !(unix && !darwin)

package tray

// HostAvailable: Windows always has a notification area (the taskbar's,
// which Fyne's systray uses through Shell_NotifyIcon), macOS its menu bar.
func HostAvailable() bool { return true }
