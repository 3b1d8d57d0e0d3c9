// Command bgfetch-autostart switches bgfetch's "Start at login" entry on and
// off from a shell, through package packaging/autostart (the code the tray
// toggle uses). packaging/test-package.sh drives it against a temporary HOME.
//
//	bgfetch-autostart [-home DIR] [-exe PATH] enable|disable|status|path
//
// status prints "enabled" or "disabled" and exits 0 or 3.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bgfetch/bgfetch/packaging/autostart"
)

func main() {
	home := flag.String("home", "", "home directory (default: the current user's)")
	exe := flag.String("exe", "", "binary the entry runs (default: the installed bgfetch)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: bgfetch-autostart [-home DIR] [-exe PATH] enable|disable|status|path")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	var err error
	switch flag.Arg(0) {
	case "enable":
		if *exe != "" {
			err = autostart.EnableExec(*home, *exe)
		} else {
			err = autostart.Enable(*home)
		}
	case "disable":
		err = autostart.Disable(*home)
	case "status":
		if autostart.Enabled(*home) {
			fmt.Println("enabled")
			return
		}
		fmt.Println("disabled")
		os.Exit(3)
	case "path":
		var p string
		if p, err = autostart.Path(*home); err == nil {
			fmt.Println(p)
		}
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bgfetch-autostart:", err)
		os.Exit(1)
	}
}
