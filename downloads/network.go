package downloads

import (
	"github.com/godbus/dbus/v5"
)

// NetworkManager on the system bus tells bgfetch two things: full
// connectivity is back (every backoff ends at once), and whether the
// network is metered (fetches with metered: "wait" hold). Without a system
// bus or NetworkManager neither is known: backoff alone brings transfers
// back, and the network counts as not metered.
const (
	nmName            = "org.freedesktop.NetworkManager"
	nmPath            = dbus.ObjectPath("/org/freedesktop/NetworkManager")
	nmConnectedGlobal = 70 // NM_STATE_CONNECTED_GLOBAL
)

// nmMetered reports whether NM's Metered value means metered
// (NM_METERED_YES 1 or NM_METERED_GUESS_YES 3).
func nmMetered(v uint32) bool { return v == 1 || v == 3 }

func (m *Manager) watchNetwork() {
	defer m.loops.Done()
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		m.log.Debug("no system bus; network changes are found by retrying", "err", err)
		return
	}
	defer conn.Close()
	for _, opts := range [][]dbus.MatchOption{
		{dbus.WithMatchInterface(nmName), dbus.WithMatchMember("StateChanged")},
		{dbus.WithMatchInterface("org.freedesktop.DBus.Properties"), dbus.WithMatchMember("PropertiesChanged"), dbus.WithMatchObjectPath(nmPath)},
	} {
		if err := conn.AddMatchSignal(opts...); err != nil {
			return
		}
	}
	ch := make(chan *dbus.Signal, 8)
	conn.Signal(ch)
	if v, err := conn.Object(nmName, nmPath).GetProperty(nmName + ".Metered"); err == nil {
		if u, ok := v.Value().(uint32); ok {
			m.setMetered(nmMetered(u))
		}
	}
	for {
		select {
		case <-m.ctx.Done():
			return
		case sig := <-ch:
			m.networkSignal(sig)
		}
	}
}

func (m *Manager) networkSignal(sig *dbus.Signal) {
	if sig == nil || len(sig.Body) == 0 {
		return
	}
	switch sig.Name {
	case nmName + ".StateChanged":
		if state, ok := sig.Body[0].(uint32); ok && state == nmConnectedGlobal {
			m.log.Info("network is back; resuming transfers")
			m.retryNow()
		}
	case "org.freedesktop.DBus.Properties.PropertiesChanged":
		if iface, _ := sig.Body[0].(string); iface != nmName || len(sig.Body) < 2 {
			return
		}
		changed, _ := sig.Body[1].(map[string]dbus.Variant)
		if v, ok := changed["Metered"]; ok {
			if u, ok := v.Value().(uint32); ok {
				m.setMetered(nmMetered(u))
			}
		}
	}
}
