// Command bgfetch brings the web's Background Fetch API to desktop apps.
// This file only dispatches: package app is the desktop app (tray, window,
// notifications, API), package api/cli every other command.
package main

import (
	"os"

	"github.com/bgfetch/bgfetch/api/cli"
	"github.com/bgfetch/bgfetch/app"
	"github.com/bgfetch/bgfetch/internal/localefix"
)

func main() {
	localefix.Restore()
	args := os.Args[1:]
	if app.Wants(args) {
		os.Exit(app.Main(args))
	}
	os.Exit(cli.Run(args, os.Stdin, os.Stdout, os.Stderr))
}
