// Package notify raises the desktop notification when a fetch settles and
// brings its click back to the app as Manager.Click (spec C.22).
//
// On Linux (bus_dbus.go) it talks to org.freedesktop.Notifications on the
// session D-Bus with a "default" action ("Show in bgfetch") and, for a
// success whose files are on disk, Open and Show in folder (OnAction), and
// maps ActionInvoked to the fetch's uid. When the server lacks the
// "actions" capability, or there is no session bus, it falls back to beeep
// (a notification without click-through). The server sends ActionInvoked
// only to the connection that raised the notification (measured with
// dunst), so the notifications on screen are kept in Options.StateFile and
// raised again by id by the next process (restore.go): they click through
// a restart of bgfetch. Messages are in the language of Options.Words
// (message.go).
//
// On Windows (bus_windows.go) it raises a toast whose activation is a
// bgfetch: URL (Options.ClickURL, internal/winapp): clicking it runs
// `bgfetch.exe --activate URL`, which forwards the click to the running
// instance, so clicks work across restarts. On macOS (bus_other.go) it
// uses beeep, without click-through.
//
// It never notifies a cancel: the person made it, or the app asked for
// it. A click that reaches bgfetch is durable: Manager.Click writes it to
// the outbox before anything else.
package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gen2brain/beeep"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// Options configure a Notifier.
type Options struct {
	// AppName is the sending application's name (default "bgfetch").
	AppName string
	// DesktopEntry is the app ID: on Linux the desktop file's name
	// without ".desktop", for the server's icon, grouping and activation
	// ("" sends none); on Windows the toasts' AppUserModelID.
	DesktopEntry string
	// ClickURL is the URL a toast about uid launches when clicked
	// (Windows: winapp.ClickURL of the data directory); nil raises
	// toasts without click-through.
	ClickURL func(uid string) string
	// IconDir is where icons are written for the notification server to
	// read (default a folder under os.TempDir).
	IconDir string
	// DefaultIcon is the PNG used when a message has none.
	DefaultIcon []byte
	// OnClick receives the uid of a clicked notification.
	OnClick func(uid string)
	// OnAction receives the uid and the action of a notification's other
	// buttons (ActionOpen, ActionFolder); nil offers none.
	OnAction func(uid, action string)
	// Words is the language of the notifications (nil: English).
	Words *words.Words
	// Enabled, when set, is asked before each notification (the
	// notifications setting); false shows none.
	Enabled func() bool
	// StateFile keeps the notifications on screen across a restart
	// (restore.go, Linux); "" keeps none.
	StateFile string
	// IconFor returns the PNG for a registration (the fetch's cached icon,
	// honouring updateUI); nil or a nil result uses DefaultIcon.
	IconFor func(r model.Registration) []byte
	// Conn is the session bus connection to use (Linux); nil connects
	// one. The Notifier closes only a connection it opened.
	Conn *BusConn
	// NoBus skips D-Bus entirely (beeep only).
	NoBus bool
	// Fallback shows a notification without click-through (default
	// beeep.Notify).
	Fallback func(summary, body, iconPath string) error
	Log      *slog.Logger
}

// Notifier raises notifications and routes their clicks.
type Notifier struct {
	opts Options
	bus  *bus // the platform's notification service

	mu    sync.Mutex
	shown map[string]shown // uid → what was shown

	// What restore.go keeps across a restart.
	server string               // names the server (serverOwner)
	notes  map[uint32]savedNote // the notifications on screen, by id
	saveMu sync.Mutex
}

type shown struct {
	id    uint32
	title string
	ev    model.Event
}

// New connects to the notification server. It never fails: without a bus
// or without the actions capability it uses the fallback.
func New(opts Options) *Notifier {
	if opts.AppName == "" {
		opts.AppName = "bgfetch"
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Words == nil {
		opts.Words = words.English
	}
	if opts.IconDir == "" {
		opts.IconDir = filepath.Join(os.TempDir(), fmt.Sprintf("bgfetch-icons-%d", os.Getuid()))
	}
	if opts.Fallback == nil {
		beeep.AppName = opts.AppName
		opts.Fallback = func(summary, body, icon string) error { return beeep.Notify(summary, body, icon) }
	}
	n := &Notifier{opts: opts, shown: map[string]shown{}}
	n.bus = startBus(n)
	n.restore()
	return n
}

// forget marks uid's notification id closed (the server closed it).
func (n *Notifier) forget(uid string, id uint32) {
	n.mu.Lock()
	if s, ok := n.shown[uid]; ok && s.id == id {
		s.id = 0
		n.shown[uid] = s
	}
	n.mu.Unlock()
	n.closed(id)
}

// ClickThrough reports whether clicks on notifications reach the app.
func (n *Notifier) ClickThrough() bool { return n.bus.clickThrough() }

// Close stops listening and closes the connection it opened; the
// notifications on screen stay, to be restored by the next run.
func (n *Notifier) Close() {
	if n.notes != nil {
		n.save()
	}
	n.bus.close()
}

// Handle looks at an event from the bus: a success or failure raises a
// notification; a later title change of a notified fetch (the handler's
// updateUI) replaces it with the new title.
func (n *Notifier) Handle(ev model.Event) {
	r := ev.Registration
	switch ev.Type {
	case model.EventSuccess, model.EventFail:
		n.mu.Lock()
		_, done := n.shown[r.UID]
		n.mu.Unlock()
		if done {
			return
		}
		msg, ok := n.message(ev)
		if !ok {
			return
		}
		if n.opts.Enabled != nil && !n.opts.Enabled() {
			n.mu.Lock()
			n.shown[r.UID] = shown{title: words.DisplayTitle(r), ev: ev}
			n.mu.Unlock()
			return
		}
		n.show(msg, ev, 0)
	case model.EventProgress, model.EventState:
		if r.Active() {
			return
		}
		n.mu.Lock()
		s, ok := n.shown[r.UID]
		n.mu.Unlock()
		if !ok || s.title == words.DisplayTitle(r) {
			return
		}
		prev := s.ev
		prev.Registration = r
		msg, ok := n.message(prev)
		if !ok {
			return
		}
		if s.id == 0 && n.bus.clickThrough() {
			return // closed, or not replaceable: do not raise it again
		}
		n.show(msg, prev, s.id)
	}
}

func (n *Notifier) show(msg Message, ev model.Event, replaces uint32) {
	icon := n.iconPath(msg, ev.Registration)
	id, err := n.Show(msg, icon, replaces)
	if err != nil {
		n.opts.Log.Warn("bgfetch: notification failed", "uid", msg.UID, "err", err)
	}
	n.mu.Lock()
	n.shown[msg.UID] = shown{id: id, title: words.DisplayTitle(ev.Registration), ev: ev}
	n.mu.Unlock()
	if id != 0 {
		n.remember(id, msg, icon, replaces)
	}
}

// Show raises msg (replacing notification replaces when not 0) and returns
// the server's notification id (0 with the fallback and on Windows).
func (n *Notifier) Show(msg Message, iconPath string, replaces uint32) (uint32, error) {
	return n.bus.show(msg, iconPath, replaces)
}

func category(m Message) string {
	if m.Failed {
		return "transfer.error"
	}
	return "transfer.complete"
}

// iconPath writes the message's icon where the server can read it, once
// per distinct image, and returns its path ("" when there is none).
func (n *Notifier) iconPath(msg Message, r model.Registration) string {
	data := msg.Icon
	if data == nil && n.opts.IconFor != nil {
		data = n.opts.IconFor(r)
	}
	if data == nil {
		data = n.opts.DefaultIcon
	}
	if len(data) == 0 {
		return ""
	}
	sum := sha256.Sum256(data)
	p := filepath.Join(n.opts.IconDir, hex.EncodeToString(sum[:8])+".png")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	if err := os.MkdirAll(n.opts.IconDir, 0o700); err != nil {
		return ""
	}
	tmp := fmt.Sprintf("%s.%d.tmp", p, time.Now().UnixNano())
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return ""
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return ""
	}
	return p
}
