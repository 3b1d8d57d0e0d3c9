// Package notify raises the desktop notification when a fetch settles and
// brings its click back to the app as Manager.Click (spec C.22).
//
// On Linux it talks to org.freedesktop.Notifications on the session D-Bus
// with a "default" action and maps ActionInvoked to the fetch's uid. When
// the server lacks the "actions" capability, or there is no session bus, it
// falls back to beeep (a notification without click-through). It never
// notifies a cancel: the person made it, or the app asked for it.
//
// A notification raised by an earlier bgfetch process cannot be clicked
// through: the server sends ActionInvoked only to the connection that
// raised the notification (measured with dunst: a second connection
// listening for the signal gets nothing). A click that reaches bgfetch is
// durable: Manager.Click writes it to the outbox before anything else.
package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gen2brain/beeep"
	"github.com/godbus/dbus/v5"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

const (
	busName   = "org.freedesktop.Notifications"
	busPath   = dbus.ObjectPath("/org/freedesktop/Notifications")
	busIface  = "org.freedesktop.Notifications"
	actionKey = "default"
)

// Message is one notification.
type Message struct {
	UID     string // the fetch it is about; a click calls OnClick(UID)
	Summary string
	Body    string
	Icon    []byte // PNG; nil for the default
	Failed  bool
}

// For returns the notification for an event: a success or a failure of a
// settled fetch. Progress, state, click and abort events give none.
func For(ev model.Event) (Message, bool) {
	r := ev.Registration
	title := words.DisplayTitle(r)
	switch ev.Type {
	case model.EventSuccess:
		n := len(ev.Records)
		files := "1 file"
		if n != 1 {
			files = fmt.Sprintf("%d files", n)
		}
		return Message{UID: r.UID, Summary: "Download complete",
			Body: fmt.Sprintf("%s — %s, %s", title, files, words.Bytes(r.Downloaded))}, true
	case model.EventFail:
		if r.FailureReason == model.ReasonAborted {
			return Message{}, false
		}
		why := words.ReasonWords(r.FailureReason)
		if r.FailureReason == model.ReasonBadStatus {
			for _, rec := range ev.Records {
				if rec.Response != nil && (rec.Response.Status < 200 || rec.Response.Status > 299) {
					text := rec.Response.StatusText
					if text == "" {
						text = http.StatusText(rec.Response.Status)
					}
					why = strings.TrimSpace(fmt.Sprintf("%s (%d %s", why, rec.Response.Status, text)) + ")"
					break
				}
			}
		}
		return Message{UID: r.UID, Summary: "Download failed", Body: title + " — " + why, Failed: true}, true
	}
	return Message{}, false
}

// Options configure a Notifier.
type Options struct {
	// AppName is the sending application's name (default "bgfetch").
	AppName string
	// DesktopEntry is the desktop file's name without ".desktop" (the
	// app ID), for the server's icon, grouping and activation; "" sends
	// none.
	DesktopEntry string
	// IconDir is where icons are written for the notification server to
	// read (default a folder under os.TempDir).
	IconDir string
	// DefaultIcon is the PNG used when a message has none.
	DefaultIcon []byte
	// OnClick receives the uid of a clicked notification.
	OnClick func(uid string)
	// IconFor returns the PNG for a registration (the fetch's cached icon,
	// honouring updateUI); nil or a nil result uses DefaultIcon.
	IconFor func(r model.Registration) []byte
	// Conn is the session bus connection to use; nil connects one. The
	// Notifier closes only a connection it opened.
	Conn *dbus.Conn
	// NoBus skips D-Bus entirely (beeep only).
	NoBus bool
	// Fallback shows a notification without click-through (default
	// beeep.Notify).
	Fallback func(summary, body, iconPath string) error
	Log      *slog.Logger
}

// Notifier raises notifications and routes their clicks.
type Notifier struct {
	opts    Options
	conn    *dbus.Conn
	ownConn bool
	actions bool
	signals chan *dbus.Signal
	done    chan struct{}

	mu    sync.Mutex
	byID  map[uint32]string // notification id → uid
	shown map[string]shown  // uid → what was shown
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
	if opts.IconDir == "" {
		opts.IconDir = filepath.Join(os.TempDir(), fmt.Sprintf("bgfetch-icons-%d", os.Getuid()))
	}
	if opts.Fallback == nil {
		beeep.AppName = opts.AppName
		opts.Fallback = func(summary, body, icon string) error { return beeep.Notify(summary, body, icon) }
	}
	n := &Notifier{opts: opts, byID: map[uint32]string{}, shown: map[string]shown{}, done: make(chan struct{})}
	if opts.NoBus {
		return n
	}
	conn := opts.Conn
	if conn == nil {
		c, err := dbus.ConnectSessionBus()
		if err != nil {
			opts.Log.Info("bgfetch: no session D-Bus; notifications without click-through", "err", err)
			return n
		}
		conn, n.ownConn = c, true
	}
	n.conn = conn
	var caps []string
	obj := conn.Object(busName, busPath)
	if err := obj.Call(busIface+".GetCapabilities", 0).Store(&caps); err != nil {
		opts.Log.Info("bgfetch: no notification server on D-Bus; using the fallback", "err", err)
		n.closeConn()
		return n
	}
	n.actions = slices.Contains(caps, "actions")
	if !n.actions {
		opts.Log.Info("bgfetch: the notification server has no actions; notifications without click-through")
		return n
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(busPath), dbus.WithMatchInterface(busIface)); err != nil {
		opts.Log.Warn("bgfetch: cannot watch notification clicks", "err", err)
		n.actions = false
		return n
	}
	n.signals = make(chan *dbus.Signal, 16)
	conn.Signal(n.signals)
	go n.listen()
	return n
}

// ClickThrough reports whether clicks on notifications reach the app.
func (n *Notifier) ClickThrough() bool { return n.actions }

// Close stops listening and closes the connection it opened.
func (n *Notifier) Close() {
	if n.signals != nil {
		n.conn.RemoveSignal(n.signals)
		close(n.signals)
		<-n.done
		n.signals = nil
	}
	n.closeConn()
}

func (n *Notifier) closeConn() {
	if n.ownConn && n.conn != nil {
		n.conn.Close()
	}
	n.conn = nil
	n.ownConn = false
}

func (n *Notifier) listen() {
	defer close(n.done)
	for sig := range n.signals {
		if sig == nil {
			continue
		}
		switch sig.Name {
		case busIface + ".ActionInvoked":
			if len(sig.Body) < 2 {
				continue
			}
			id, _ := sig.Body[0].(uint32)
			n.mu.Lock()
			uid, ok := n.byID[id]
			n.mu.Unlock()
			if ok && n.opts.OnClick != nil {
				n.opts.OnClick(uid)
			}
		case busIface + ".NotificationClosed":
			if len(sig.Body) < 1 {
				continue
			}
			id, _ := sig.Body[0].(uint32)
			n.mu.Lock()
			if uid, ok := n.byID[id]; ok {
				delete(n.byID, id)
				if s, ok := n.shown[uid]; ok && s.id == id {
					s.id = 0
					n.shown[uid] = s
				}
			}
			n.mu.Unlock()
		}
	}
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
		msg, ok := For(ev)
		if !ok {
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
		msg, ok := For(prev)
		if !ok {
			return
		}
		if s.id == 0 && n.actions {
			return // already closed: do not raise it again
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
}

// Show raises msg (replacing notification replaces when not 0) and returns
// the server's notification id (0 with the fallback).
func (n *Notifier) Show(msg Message, iconPath string, replaces uint32) (uint32, error) {
	if n.conn == nil || !n.actions {
		if replaces != 0 {
			return 0, nil
		}
		return 0, n.opts.Fallback(msg.Summary, msg.Body, iconPath)
	}
	hints := map[string]dbus.Variant{
		"category": dbus.MakeVariant(category(msg)),
		"urgency":  dbus.MakeVariant(byte(1)),
	}
	if n.opts.DesktopEntry != "" {
		hints["desktop-entry"] = dbus.MakeVariant(n.opts.DesktopEntry)
	}
	var id uint32
	call := n.conn.Object(busName, busPath).Call(busIface+".Notify", 0,
		n.opts.AppName, replaces, iconPath, msg.Summary, msg.Body,
		[]string{actionKey, "Open"}, hints, int32(-1))
	if call.Err != nil {
		return 0, errors.Join(call.Err, n.opts.Fallback(msg.Summary, msg.Body, iconPath))
	}
	if err := call.Store(&id); err != nil {
		return 0, err
	}
	n.mu.Lock()
	n.byID[id] = msg.UID
	n.mu.Unlock()
	return id, nil
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
