package notify

import (
	"git.sr.ht/~jackmordaunt/go-toast/wintoast"
)

// BusConn has no meaning on Windows (Options.Conn is Linux's).
type BusConn struct{}

// bus raises toasts through the Windows Runtime, by way of PowerShell
// (go-toast's wintoast, PreferPowershell). A toast's click launches its
// bgfetch: URL, which the protocol handler (bgfetch.exe --activate)
// forwards to the running instance: no callback into this process, so a
// toast raised before a restart still clicks through.
//
// Not wintoast's in-process COM route: it registers a Go-implemented COM
// class factory at every toast and never revokes it, and COM's cleanup
// then calls into the Go runtime while the process exits ("fatal error:
// exitsyscall: syscall frame is no longer valid", seen under Wine at
// every Quit after a toast). A toast per settled fetch can afford the
// PowerShell start-up.
type bus struct {
	n *Notifier
}

func startBus(n *Notifier) *bus {
	if id := n.opts.DesktopEntry; id != "" {
		// Names the AppUserModelID the toasts are sent as. Values
		// already in the registry (winapp.Register writes the display
		// name and icon first) are kept.
		if err := wintoast.SetAppData(wintoast.AppData{AppID: id}); err != nil {
			n.opts.Log.Warn("bgfetch: toast registration", "err", err)
		}
	}
	return &bus{n: n}
}

func (b *bus) clickThrough() bool { return b.n.opts.ClickURL != nil }

func (b *bus) close() {}

func (b *bus) show(msg Message, iconPath string, replaces uint32) (uint32, error) {
	if replaces != 0 {
		return 0, nil // a toast is not replaced in place
	}
	launch := ""
	if b.n.opts.ClickURL != nil {
		launch = b.n.opts.ClickURL(msg.UID)
	}
	b.n.opts.Log.Debug("bgfetch: toast", "uid", msg.UID, "launch", launch)
	return 0, wintoast.Push(ToastXML(msg, iconPath, launch), wintoast.PreferPowershell)
}

// serverOwner is "": notifications here are not restored by id.
func (b *bus) serverOwner() string { return "" }
