package winapp

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	user32               = windows.NewLazySystemDLL("user32.dll")
	procRegisterClassEx  = user32.NewProc("RegisterClassExW")
	procCreateWindowEx   = user32.NewProc("CreateWindowExW")
	procDefWindowProc    = user32.NewProc("DefWindowProcW")
	procGetMessage       = user32.NewProc("GetMessageW")
	procTranslateMessage = user32.NewProc("TranslateMessage")
	procDispatchMessage  = user32.NewProc("DispatchMessageW")
	procFindWindow       = user32.NewProc("FindWindowW")
	procSendMessageTO    = user32.NewProc("SendMessageTimeoutW")
	procPostMessage      = user32.NewProc("PostMessageW")
	procDestroyWindow    = user32.NewProc("DestroyWindow")
	procPostQuitMessage  = user32.NewProc("PostQuitMessage")
)

const (
	wmClose           = 0x0010
	wmQueryEndSession = 0x0011
	wmEndSession      = 0x0016
	wmCopyData        = 0x004A
	wmDestroy         = 0x0002
	wmStop            = 0x8000 + 0x62 // WM_APP + 'b': Listen's stop
	endSessionLogoff  = 0x80000000
	smtoAbortIfHung   = 0x0002
	smtoBlock         = 0x0001
	// copyDataKind marks bgfetch's WM_COPYDATA messages ("bgf1").
	copyDataKind = 0x62676631
)

type wndClassEx struct {
	Size       uint32
	Style      uint32
	WndProc    uintptr
	ClsExtra   int32
	WndExtra   int32
	Instance   windows.Handle
	Icon       windows.Handle
	Cursor     windows.Handle
	Background windows.Handle
	MenuName   *uint16
	ClassName  *uint16
	IconSm     windows.Handle
}

type msg struct {
	Hwnd    uintptr
	Message uint32
	WParam  uintptr
	LParam  uintptr
	Time    uint32
	Pt      struct{ X, Y int32 }
	Private uint32
}

type copyData struct {
	Kind uintptr
	Size uint32
	Data *byte
}

var (
	registerOnce sync.Once
	registerErr  error
	windowsMu    sync.Mutex
	byHwnd       = map[uintptr]*instance{}
)

type instance struct {
	h       Handlers
	endOnce sync.Once
}

func title(dataDir string) string { return "bgfetch " + dataDir }

func registerClass() error {
	registerOnce.Do(func() {
		var inst windows.Handle
		if err := windows.GetModuleHandleEx(0, nil, &inst); err != nil {
			registerErr = err
			return
		}
		wc := wndClassEx{
			WndProc:   windows.NewCallback(wndProc),
			Instance:  inst,
			ClassName: windows.StringToUTF16Ptr(ClassName),
		}
		wc.Size = uint32(unsafe.Sizeof(wc))
		if r, _, err := procRegisterClassEx.Call(uintptr(unsafe.Pointer(&wc))); r == 0 {
			registerErr = fmt.Errorf("RegisterClassEx: %w", err)
		}
	})
	return registerErr
}

func listen(dataDir string, h Handlers) (func(), error) {
	if err := registerClass(); err != nil {
		return nil, err
	}
	ready := make(chan uintptr, 1)
	fail := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // the window's messages arrive on this thread
		cls, _ := windows.UTF16PtrFromString(ClassName)
		ttl, err := windows.UTF16PtrFromString(title(dataDir))
		if err != nil {
			fail <- err
			return
		}
		// A hidden top-level window, not a message-only one: only
		// top-level windows get the session-end broadcast. Creation
		// sends the window messages already, which reach DefWindowProc
		// until the window is in byHwnd.
		hwnd, _, err := procCreateWindowEx.Call(0, uintptr(unsafe.Pointer(cls)), uintptr(unsafe.Pointer(ttl)),
			0, 0, 0, 0, 0, 0, 0, 0, 0)
		if hwnd == 0 {
			fail <- fmt.Errorf("CreateWindowEx: %w", err)
			return
		}
		windowsMu.Lock()
		byHwnd[hwnd] = &instance{h: h}
		windowsMu.Unlock()
		ready <- hwnd
		var m msg
		for {
			r, _, _ := procGetMessage.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0)
			if int32(r) <= 0 {
				return
			}
			procTranslateMessage.Call(uintptr(unsafe.Pointer(&m)))
			procDispatchMessage.Call(uintptr(unsafe.Pointer(&m)))
		}
	}()
	select {
	case err := <-fail:
		return nil, err
	case hwnd := <-ready:
		var once sync.Once
		return func() {
			once.Do(func() {
				procPostMessage.Call(hwnd, wmStop, 0, 0)
				select {
				case <-done:
				case <-time.After(2 * time.Second): // its thread is busy in a handler
				}
			})
		}, nil
	}
}

func wndProc(hwnd, message, wparam, lparam uintptr) uintptr {
	windowsMu.Lock()
	in := byHwnd[hwnd]
	windowsMu.Unlock()
	if in == nil {
		r, _, _ := procDefWindowProc.Call(hwnd, message, wparam, lparam)
		return r
	}
	switch message {
	case wmStop:
		procDestroyWindow.Call(hwnd)
		return 0
	case wmDestroy:
		windowsMu.Lock()
		delete(byHwnd, hwnd)
		windowsMu.Unlock()
		procPostQuitMessage.Call(0)
		return 0
	case wmQueryEndSession:
		return 1 // nothing to ask the person: checkpoints make it safe
	case wmEndSession:
		if wparam != 0 {
			in.end()
		}
		return 0
	case wmClose:
		in.end()
		return 0
	case wmCopyData:
		// lparam is the sender's COPYDATASTRUCT, valid during this call.
		cd := *(**copyData)(unsafe.Pointer(&lparam))
		if cd == nil || cd.Kind != copyDataKind || cd.Size > 4096 {
			return 0
		}
		text := string(unsafe.Slice(cd.Data, cd.Size))
		if in.handle(text) {
			return 1
		}
		return 0
	}
	r, _, _ := procDefWindowProc.Call(hwnd, message, wparam, lparam)
	return r
}

// end runs EndSession once; Windows waits for WM_ENDSESSION to return
// before it ends the process, so it returns after the shutdown.
func (in *instance) end() {
	in.endOnce.Do(func() {
		if in.h.EndSession != nil {
			in.h.EndSession()
		}
	})
}

func (in *instance) handle(text string) bool {
	switch {
	case text == "show":
		if in.h.Show == nil {
			return false
		}
		in.h.Show()
		return true
	case strings.HasPrefix(text, "click "):
		uid := strings.TrimPrefix(text, "click ")
		if in.h.Click == nil || !uidPattern.MatchString(uid) {
			return false
		}
		in.h.Click(uid)
		return true
	}
	return false
}

func find(dataDir string) (uintptr, error) {
	cls, _ := windows.UTF16PtrFromString(ClassName)
	ttl, err := windows.UTF16PtrFromString(title(dataDir))
	if err != nil {
		return 0, err
	}
	hwnd, _, _ := procFindWindow.Call(uintptr(unsafe.Pointer(cls)), uintptr(unsafe.Pointer(ttl)))
	if hwnd == 0 {
		return 0, ErrNotRunning
	}
	return hwnd, nil
}

func sendMessage(hwnd, message, wparam, lparam uintptr, timeout time.Duration) (uintptr, error) {
	var result uintptr
	r, _, err := procSendMessageTO.Call(hwnd, message, wparam, lparam, smtoAbortIfHung|smtoBlock,
		uintptr(timeout/time.Millisecond), uintptr(unsafe.Pointer(&result)))
	if r == 0 {
		if errors.Is(err, windows.ERROR_SUCCESS) || err == nil {
			err = errors.New("timed out")
		}
		return 0, err
	}
	return result, nil
}

func send(dataDir, text string) error {
	hwnd, err := find(dataDir)
	if err != nil {
		return err
	}
	b := []byte(text)
	cd := copyData{Kind: copyDataKind, Size: uint32(len(b)), Data: &b[0]}
	res, err := sendMessage(hwnd, wmCopyData, 0, uintptr(unsafe.Pointer(&cd)), 10*time.Second)
	runtime.KeepAlive(b)
	if err != nil {
		return fmt.Errorf("bgfetch on %s did not answer: %w", dataDir, err)
	}
	if res == 0 {
		return fmt.Errorf("bgfetch on %s refused %q", dataDir, strings.Fields(text)[0])
	}
	return nil
}

func endSession(dataDir string, timeout time.Duration) error {
	hwnd, err := find(dataDir)
	if err != nil {
		return err
	}
	if _, err := sendMessage(hwnd, wmQueryEndSession, 0, endSessionLogoff, timeout); err != nil {
		return fmt.Errorf("WM_QUERYENDSESSION: %w", err)
	}
	if _, err := sendMessage(hwnd, wmEndSession, 1, endSessionLogoff, timeout); err != nil {
		// The instance may exit before it replies (as Windows lets it):
		// its window is gone then, which is what was asked for.
		if _, ferr := find(dataDir); errors.Is(ferr, ErrNotRunning) {
			return nil
		}
		return fmt.Errorf("WM_ENDSESSION: %w", err)
	}
	return nil
}
