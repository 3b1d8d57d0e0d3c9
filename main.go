// Command bgfetch brings the web's Background Fetch API to desktop apps.
// This file only dispatches: see package api/cli for the commands.
package main

import (
	"os"

	"github.com/bgfetch/bgfetch/api/cli"
)

func main() {
	args := os.Args[1:]
	if cli.WantsDesktopApp(args) {
		// Plain `bgfetch` is the desktop app (tray, window, notifications,
		// API). Until package app provides it, the API and transfers run
		// headless, as `bgfetch serve --headless` does; app.Main replaces
		// this branch.
		args = append(args, "serve", "--headless")
	}
	os.Exit(cli.Run(args, os.Stdin, os.Stdout, os.Stderr))
}
