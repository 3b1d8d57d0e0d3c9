package autostart

import (
	"errors"
	"fmt"
	"strings"
)

// The login entries of Windows and macOS, built here (not in their
// platform files) so that their text is tested on every OS.

// AppID is the reverse-DNS application ID (FyneApp.toml); the installed icon
// carries this name.
const AppID = "io.github.bgfetch.bgfetch"

// RunValueName is the value under the per-user Run key (Windows).
const RunValueName = "bgfetch"

// RunKeyPath is the per-user Run key, under HKEY_CURRENT_USER.
const RunKeyPath = `Software\Microsoft\Windows\CurrentVersion\Run`

// StartupApprovedPath is where Windows' Task Manager and Settings record
// that a Run entry was switched off (first data byte odd), under
// HKEY_CURRENT_USER.
const StartupApprovedPath = `Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run`

// RunCommand is the Run value that starts exe hidden in the tray:
// "C:\…\bgfetch.exe" --hidden. The path is always quoted (Windows paths
// often hold spaces) and may not hold a quote, which Windows paths cannot.
func RunCommand(exe string) (string, error) {
	if exe == "" {
		return "", errors.New("autostart: empty executable path")
	}
	if strings.ContainsAny(exe, "\"\n\r\x00") {
		return "", fmt.Errorf("autostart: executable path %q has a quote or control character", exe)
	}
	return `"` + exe + `" --hidden`, nil
}

// ApprovedDisabled reports whether a StartupApproved value says the entry
// was switched off (Task Manager writes 03 00…, Settings 07 00…; 02 and
// 06 mean on).
func ApprovedDisabled(data []byte) bool { return len(data) > 0 && data[0]&1 == 1 }

// LaunchAgentLabel is the macOS launch agent's label and file name stem.
const LaunchAgentLabel = AppID

// LaunchAgent is the ~/Library/LaunchAgents/<label>.plist that starts exe
// hidden at login in the person's GUI session (macOS).
func LaunchAgent(exe string) (string, error) {
	if exe == "" {
		return "", errors.New("autostart: empty executable path")
	}
	if strings.ContainsAny(exe, "\n\r\x00") {
		return "", fmt.Errorf("autostart: executable path %q has a control character", exe)
	}
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + LaunchAgentLabel + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + esc(exe) + `</string>
		<string>--hidden</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
	<key>LimitLoadToSessionType</key>
	<string>Aqua</string>
</dict>
</plist>
`, nil
}
