package main

import (
	"os"

	"golang.org/x/sys/windows"

	"github.com/bgfetch/bgfetch/api/cli"
)

// bgfetch.exe is a GUI-subsystem program (no console window opens for the
// desktop app), so Windows gives it no standard handles. Run as the CLI
// from cmd or PowerShell, it attaches to the console it was started from
// and writes there. The shell does not wait for a GUI program, though:
// scripts use bgfetch-cli.exe (cmd/bgfetch-cli), a console program.
func init() {
	args := os.Args[1:]
	if cli.RunsDesktop(args) {
		return // the desktop app: no console
	}
	if h, err := windows.GetStdHandle(windows.STD_OUTPUT_HANDLE); err == nil && h != 0 && h != windows.InvalidHandle {
		return // redirected to a file or pipe: keep it
	}
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	if ok, _, _ := windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole").Call(attachParentProcess); ok == 0 {
		return // started without a console (Explorer, a shortcut)
	}
	if out, err := os.OpenFile("CONOUT$", os.O_WRONLY, 0); err == nil {
		os.Stdout, os.Stderr = out, out
	}
	if in, err := os.OpenFile("CONIN$", os.O_RDONLY, 0); err == nil {
		os.Stdin = in
	}
}
