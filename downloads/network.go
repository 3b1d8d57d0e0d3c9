package downloads

import (
	"github.com/godbus/dbus/v5"
)

// nmConnectedGlobal is NetworkManager's NM_STATE_CONNECTED_GLOBAL.
const nmConnectedGlobal = 70

// watchNetwork ends every backoff as soon as NetworkManager reports full
// connectivity. Without a system bus or NetworkManager it does nothing:
// backoff alone brings transfers back.
func (m *Manager) watchNetwork() {
	defer m.loops.Done()
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		m.log.Debug("no system bus; network changes are found by retrying", "err", err)
		return
	}
	defer conn.Close()
	if err := conn.AddMatchSignal(
		dbus.WithMatchInterface("org.freedesktop.NetworkManager"),
		dbus.WithMatchMember("StateChanged"),
	); err != nil {
		return
	}
	ch := make(chan *dbus.Signal, 8)
	conn.Signal(ch)
	for {
		select {
		case <-m.ctx.Done():
			return
		case sig := <-ch:
			if sig == nil || len(sig.Body) == 0 {
				continue
			}
			if state, ok := sig.Body[0].(uint32); ok && state == nmConnectedGlobal {
				m.log.Info("network is back; resuming transfers")
				m.retryNow()
			}
		}
	}
}
