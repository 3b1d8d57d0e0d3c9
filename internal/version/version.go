// Package version holds bgfetch's version, the one the CLI prints, the
// User-Agent carries and FyneApp.toml declares (a test keeps them equal).
package version

// Version is overridden at link time with -X for release builds.
var Version = "0.1.0"

// UserAgent is sent with every request bgfetch makes.
func UserAgent() string { return "bgfetch/" + Version }
