package downloads

import "github.com/bgfetch/bgfetch/internal/netwatch"

// watchNetwork ends every backoff as soon as the OS says the network may
// be back (internal/netwatch: NetworkManager on Linux, IP Helper's change
// notifications on Windows). Without such a signal it does nothing:
// backoff alone brings transfers back.
func (m *Manager) watchNetwork() {
	defer m.loops.Done()
	err := netwatch.Watch(m.ctx, m.log, func() {
		m.log.Info("network is back; resuming transfers")
		m.retryNow()
	})
	if err != nil {
		m.log.Debug("no network change signal; network changes are found by retrying", "err", err)
		return
	}
	<-m.ctx.Done()
}
