// Command wintool is the Windows side of the Wine test bed's checks,
// built for Windows and run under Wine next to the exe under test:
//
//	wintool endsession DATA_DIR
//	    does what Windows does at log-off to the bgfetch instance of
//	    DATA_DIR: WM_QUERYENDSESSION, then WM_ENDSESSION to its instance
//	    window (internal/winapp), returning once it has shut down its
//	    engine. The e2e suite stops the GUI-subsystem bgfetch.exe this
//	    way: under Wine SIGTERM is an abrupt kill and a GUI program gets
//	    no Ctrl-C.
//	wintool windows
//	    prints the visible top-level windows of the desktop, one JSON
//	    object a line: class, title, pid and rectangle.
//
// Exit status: 0 done, 1 failed, 2 bad usage, 3 no bgfetch instance has a
// window for DATA_DIR.
package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/bgfetch/bgfetch/internal/winapp"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "endsession":
		if len(os.Args) != 3 {
			usage()
		}
		err := winapp.EndSession(os.Args[2], time.Minute)
		if errors.Is(err, winapp.ErrNotRunning) {
			fmt.Fprintln(os.Stderr, "wintool:", err)
			os.Exit(3)
		}
		check(err)
	case "windows":
		check(listWindows(os.Stdout))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: wintool endsession DATA_DIR | wintool windows")
	os.Exit(2)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "wintool:", err)
		os.Exit(1)
	}
}
