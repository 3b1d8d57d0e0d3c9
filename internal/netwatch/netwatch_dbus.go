//go:build unix && !darwin

package netwatch

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

const (
	nmName            = "org.freedesktop.NetworkManager"
	nmPath            = dbus.ObjectPath("/org/freedesktop/NetworkManager")
	nmConnectedGlobal = 70 // NM_STATE_CONNECTED_GLOBAL
)

// nmMetered reports whether NM's Metered value means metered
// (NM_METERED_YES 1 or NM_METERED_GUESS_YES 3).
func nmMetered(v uint32) bool { return v == 1 || v == 3 }

func watch(ctx context.Context, log *slog.Logger, ev Events) error {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return err
	}
	for _, opts := range [][]dbus.MatchOption{
		{dbus.WithMatchInterface(nmName), dbus.WithMatchMember("StateChanged")},
		{dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged"), dbus.WithMatchObjectPath(nmPath)},
	} {
		if err := conn.AddMatchSignal(opts...); err != nil {
			conn.Close()
			return err
		}
	}
	ch := make(chan *dbus.Signal, 8)
	conn.Signal(ch)
	if v, err := conn.Object(nmName, nmPath).GetProperty(nmName + ".Metered"); err == nil {
		if u, ok := v.Value().(uint32); ok {
			ev.Metered(nmMetered(u))
		}
	}
	go func() {
		defer conn.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case sig := <-ch:
				signal(sig, ev)
			}
		}
	}()
	return nil
}

func signal(sig *dbus.Signal, ev Events) {
	if sig == nil || len(sig.Body) == 0 {
		return
	}
	switch sig.Name {
	case nmName + ".StateChanged":
		if state, ok := sig.Body[0].(uint32); ok && state == nmConnectedGlobal {
			ev.Back()
		}
	case "org.freedesktop.DBus.Properties.PropertiesChanged":
		if iface, _ := sig.Body[0].(string); iface != nmName || len(sig.Body) < 2 {
			return
		}
		changed, _ := sig.Body[1].(map[string]dbus.Variant)
		if v, ok := changed["Metered"]; ok {
			if u, ok := v.Value().(uint32); ok {
				ev.Metered(nmMetered(u))
			}
		}
	}
}
