// Command bgfetch-cli is bgfetch's command line without the desktop app:
// every command of `bgfetch` (fetch, get, ids, events, serve --headless, …)
// and nothing else. On Windows it is built as a console-subsystem program,
// bgfetch-cli.exe, shipped beside the GUI-subsystem bgfetch.exe: cmd and
// PowerShell wait for it, show its output and see its exit code, which
// they do not for a GUI program. It links no Fyne and no cgo.
package main

import (
	"os"

	"github.com/bgfetch/bgfetch/api/cli"
	"github.com/bgfetch/bgfetch/internal/localefix"
)

func main() {
	localefix.Restore()
	// No desktop app: `bgfetch-cli` alone, like `serve`, serves headless.
	os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, nil))
}
