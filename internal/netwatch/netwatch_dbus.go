//go:build unix && !darwin

package netwatch

import (
	"context"
	"log/slog"

	"github.com/godbus/dbus/v5"
)

// nmConnectedGlobal is NetworkManager's NM_STATE_CONNECTED_GLOBAL.
const nmConnectedGlobal = 70

func watch(ctx context.Context, log *slog.Logger, back func()) error {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return err
	}
	if err := conn.AddMatchSignal(
		dbus.WithMatchInterface("org.freedesktop.NetworkManager"),
		dbus.WithMatchMember("StateChanged"),
	); err != nil {
		conn.Close()
		return err
	}
	ch := make(chan *dbus.Signal, 8)
	conn.Signal(ch)
	go func() {
		defer conn.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case sig := <-ch:
				if sig == nil || len(sig.Body) == 0 {
					continue
				}
				if state, ok := sig.Body[0].(uint32); ok && state == nmConnectedGlobal {
					log.Info("network is back (NetworkManager)")
					back()
				}
			}
		}
	}()
	return nil
}
