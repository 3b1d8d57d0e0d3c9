// Package netwatch tells the engine that the network may be back, from the
// operating system's own signal, so that transfers waiting for the network
// retry at once instead of at the end of their backoff:
//
//   - Linux (and other systems with NetworkManager): NetworkManager's
//     StateChanged signal on the system D-Bus reaching
//     NM_STATE_CONNECTED_GLOBAL;
//   - Windows: IP Helper's change notifications (NotifyIpInterfaceChange,
//     NotifyUnicastIpAddressChange): an interface came up or an address was
//     added;
//   - macOS: nothing yet (backoff alone brings transfers back).
//
// Without the signal (no system bus, no NetworkManager, Wine's stubs) Watch
// returns an error and the engine relies on backoff.
package netwatch

import (
	"context"
	"errors"
	"log/slog"
)

// ErrUnsupported: this system gives no network signal bgfetch can use.
var ErrUnsupported = errors.New("netwatch: no network change signal on this system")

// Watch calls back (from its own goroutine) whenever the network may have
// come back, until ctx ends. It returns once the subscription is made, or
// an error when there is none to make.
func Watch(ctx context.Context, log *slog.Logger, back func()) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return watch(ctx, log, back)
}
