package downloads

import "github.com/bgfetch/bgfetch/internal/netwatch"

// watchNetwork listens to what the OS says about the network
// (internal/netwatch: NetworkManager on Linux, IP Helper's change
// notifications on Windows): the network may be back (every backoff ends
// at once), and whether it is metered (fetches with metered: "wait" hold;
// NetworkManager only). Without such a signal neither is known: backoff
// alone brings transfers back, and the network counts as not metered.
func (m *Manager) watchNetwork() {
	defer m.loops.Done()
	err := netwatch.Watch(m.ctx, m.log, netwatch.Events{
		Back: func() {
			m.log.Info("network is back; resuming transfers")
			m.retryNow()
		},
		Metered: m.setMetered,
	})
	if err != nil {
		m.log.Debug("no network change signal; network changes are found by retrying", "err", err)
		return
	}
	<-m.ctx.Done()
}
