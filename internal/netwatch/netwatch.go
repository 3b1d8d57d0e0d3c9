// Package netwatch tells the engine what the operating system knows about
// the network: that it may be back, so that transfers waiting for it retry
// at once instead of at the end of their backoff, and whether it is
// metered:
//
//   - Linux (and other systems with NetworkManager): NetworkManager on the
//     system D-Bus, its StateChanged signal reaching
//     NM_STATE_CONNECTED_GLOBAL, and its Metered property;
//   - Windows: IP Helper's change notifications (NotifyIpInterfaceChange,
//     NotifyUnicastIpAddressChange): an interface came up or an address was
//     added; metered is not reported (the network counts as not metered);
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

// Events receive what Watch learns, from its own goroutine.
type Events struct {
	// Back: the network may have come back.
	Back func()
	// Metered: whether the network is metered now (at the start, and at
	// every change). nil when not wanted.
	Metered func(metered bool)
}

// Watch reports the network's events until ctx ends. It returns once the
// subscription is made, or an error when there is none to make.
func Watch(ctx context.Context, log *slog.Logger, ev Events) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if ev.Back == nil {
		ev.Back = func() {}
	}
	if ev.Metered == nil {
		ev.Metered = func(bool) {}
	}
	return watch(ctx, log, ev)
}
