//go:build unix && !darwin

package notify

import (
	"errors"
	"slices"
	"sync"

	"github.com/godbus/dbus/v5"
)

const (
	busName  = "org.freedesktop.Notifications"
	busPath  = dbus.ObjectPath("/org/freedesktop/Notifications")
	busIface = "org.freedesktop.Notifications"
)

// BusConn is a session bus connection (Options.Conn).
type BusConn = dbus.Conn

// bus is org.freedesktop.Notifications on the session D-Bus, or the
// fallback when there is none or it has no actions.
type bus struct {
	n       *Notifier
	conn    *dbus.Conn
	ownConn bool
	actions bool
	signals chan *dbus.Signal
	done    chan struct{}

	mu   sync.Mutex
	byID map[uint32]string // notification id → uid
}

// startBus connects to the notification server. It never fails: without
// a bus or without the actions capability it uses the fallback.
func startBus(n *Notifier) *bus {
	b := &bus{n: n, byID: map[uint32]string{}, done: make(chan struct{})}
	opts := n.opts
	if opts.NoBus {
		return b
	}
	conn := opts.Conn
	if conn == nil {
		c, err := dbus.ConnectSessionBus()
		if err != nil {
			opts.Log.Info("bgfetch: no session D-Bus; notifications without click-through", "err", err)
			return b
		}
		conn, b.ownConn = c, true
	}
	b.conn = conn
	var caps []string
	obj := conn.Object(busName, busPath)
	if err := obj.Call(busIface+".GetCapabilities", 0).Store(&caps); err != nil {
		opts.Log.Info("bgfetch: no notification server on D-Bus; using the fallback", "err", err)
		b.closeConn()
		return b
	}
	b.actions = slices.Contains(caps, "actions")
	if !b.actions {
		opts.Log.Info("bgfetch: the notification server has no actions; notifications without click-through")
		return b
	}
	if err := conn.AddMatchSignal(dbus.WithMatchObjectPath(busPath), dbus.WithMatchInterface(busIface)); err != nil {
		opts.Log.Warn("bgfetch: cannot watch notification clicks", "err", err)
		b.actions = false
		return b
	}
	b.signals = make(chan *dbus.Signal, 16)
	conn.Signal(b.signals)
	go b.listen()
	return b
}

func (b *bus) clickThrough() bool { return b.actions }

func (b *bus) close() {
	if b.signals != nil {
		b.conn.RemoveSignal(b.signals)
		close(b.signals)
		<-b.done
		b.signals = nil
	}
	b.closeConn()
}

func (b *bus) closeConn() {
	if b.ownConn && b.conn != nil {
		b.conn.Close()
	}
	b.conn = nil
	b.ownConn = false
}

func (b *bus) listen() {
	defer close(b.done)
	for sig := range b.signals {
		if sig == nil {
			continue
		}
		switch sig.Name {
		case busIface + ".ActionInvoked":
			if len(sig.Body) < 2 {
				continue
			}
			id, _ := sig.Body[0].(uint32)
			key, _ := sig.Body[1].(string)
			b.mu.Lock()
			uid, ok := b.byID[id]
			b.mu.Unlock()
			opts := b.n.opts
			switch {
			case !ok:
			case key == actionKey && opts.OnClick != nil:
				opts.OnClick(uid)
			case key != actionKey && opts.OnAction != nil:
				opts.OnAction(uid, key)
			}
		case busIface + ".NotificationClosed":
			if len(sig.Body) < 1 {
				continue
			}
			id, _ := sig.Body[0].(uint32)
			b.mu.Lock()
			uid, ok := b.byID[id]
			delete(b.byID, id)
			b.mu.Unlock()
			if ok {
				b.n.forget(uid, id)
			}
		}
	}
}

func (b *bus) show(msg Message, iconPath string, replaces uint32) (uint32, error) {
	opts := b.n.opts
	if b.conn == nil || !b.actions {
		if replaces != 0 {
			return 0, nil
		}
		return 0, opts.Fallback(msg.Summary, msg.Body, iconPath)
	}
	hints := map[string]dbus.Variant{
		"category": dbus.MakeVariant(category(msg)),
		"urgency":  dbus.MakeVariant(byte(1)),
	}
	if opts.DesktopEntry != "" {
		hints["desktop-entry"] = dbus.MakeVariant(opts.DesktopEntry)
	}
	var id uint32
	call := b.conn.Object(busName, busPath).Call(busIface+".Notify", 0,
		opts.AppName, replaces, iconPath, msg.Summary, msg.Body,
		msg.actionList(opts.Words), hints, int32(-1))
	if call.Err != nil {
		return 0, errors.Join(call.Err, opts.Fallback(msg.Summary, msg.Body, iconPath))
	}
	if err := call.Store(&id); err != nil {
		return 0, err
	}
	b.mu.Lock()
	b.byID[id] = msg.UID
	b.mu.Unlock()
	return id, nil
}

// serverOwner names the notification server now: the bus's id (a new
// login session has a new bus) and the server's unique name on it (a
// restarted server has a new one); "" without one that clicks through.
func (b *bus) serverOwner() string {
	if b.conn == nil || !b.actions {
		return ""
	}
	var id, owner string
	if err := b.conn.BusObject().Call("org.freedesktop.DBus.GetId", 0).Store(&id); err != nil {
		return ""
	}
	if err := b.conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, busName).Store(&owner); err != nil {
		return ""
	}
	return id + "/" + owner
}
