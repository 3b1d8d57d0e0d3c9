// Command bgfetch brings the web's Background Fetch API to desktop apps.
// This file only wires: package api/cli parses every command and flag, and
// runs package app, the desktop app (tray, window, notifications), for
// `bgfetch` alone and `bgfetch serve` without --headless.
package main

import (
	"os"

	"github.com/bgfetch/bgfetch/api/cli"
	"github.com/bgfetch/bgfetch/app"
	"github.com/bgfetch/bgfetch/internal/localefix"
)

func main() {
	localefix.Restore()
	// A clicked toast's bgfetch: URL, from the protocol handler (Windows).
	if url, ok := app.ActivationURL(os.Args[1:]); ok {
		os.Exit(app.Activate(url, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, app.Desktop{}))
}
