package main

import (
	"encoding/json"
	"io"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32              = windows.NewLazySystemDLL("user32.dll")
	procEnumWindows     = user32.NewProc("EnumWindows")
	procGetWindowText   = user32.NewProc("GetWindowTextW")
	procGetClassName    = user32.NewProc("GetClassNameW")
	procIsWindowVisible = user32.NewProc("IsWindowVisible")
	procGetWindowRect   = user32.NewProc("GetWindowRect")
)

// Window is one line of `wintool windows`.
type Window struct {
	Class string `json:"class"`
	Title string `json:"title"`
	PID   uint32 `json:"pid"`
	X     int32  `json:"x"`
	Y     int32  `json:"y"`
	W     int32  `json:"w"`
	H     int32  `json:"h"`
}

func listWindows(w io.Writer) error {
	var list []Window
	cb := syscall.NewCallback(func(hwnd, _ uintptr) uintptr {
		if v, _, _ := procIsWindowVisible.Call(hwnd); v == 0 {
			return 1
		}
		var title [512]uint16
		var class [256]uint16
		procGetWindowText.Call(hwnd, uintptr(unsafe.Pointer(&title[0])), uintptr(len(title)))
		procGetClassName.Call(hwnd, uintptr(unsafe.Pointer(&class[0])), uintptr(len(class)))
		var r struct{ Left, Top, Right, Bottom int32 }
		procGetWindowRect.Call(hwnd, uintptr(unsafe.Pointer(&r)))
		var pid uint32
		windows.GetWindowThreadProcessId(windows.HWND(hwnd), &pid)
		list = append(list, Window{
			Class: windows.UTF16ToString(class[:]), Title: windows.UTF16ToString(title[:]), PID: pid,
			X: r.Left, Y: r.Top, W: r.Right - r.Left, H: r.Bottom - r.Top,
		})
		return 1
	})
	procEnumWindows.Call(cb, 0)
	enc := json.NewEncoder(w)
	for _, win := range list {
		if err := enc.Encode(win); err != nil {
			return err
		}
	}
	return nil
}
