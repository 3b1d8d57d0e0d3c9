package netwatch

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/sys/windows"
)

// settle coalesces a burst of notifications (an interface coming up
// reports itself, then each address) into one call.
const settle = 500 * time.Millisecond

var (
	callbacksOnce sync.Once
	ifaceCallback uintptr
	addrCallback  uintptr
	kicksMu       sync.Mutex
	kicks         = map[uintptr]chan struct{}{}
	nextKick      uintptr
)

// notified runs on an IP Helper thread; callerContext is the watch's key.
func notified(callerContext, _, notificationType uintptr) uintptr {
	// MibParameterNotification (0) is a change of an interface's
	// parameters, MibAddInstance (1) a new one; deletions (2) cannot
	// bring the network back.
	if notificationType == 2 {
		return 0
	}
	kicksMu.Lock()
	ch := kicks[callerContext]
	kicksMu.Unlock()
	if ch != nil {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	return 0
}

func watch(ctx context.Context, log *slog.Logger, ev Events) error {
	callbacksOnce.Do(func() {
		ifaceCallback = windows.NewCallback(notified)
		addrCallback = windows.NewCallback(notified)
	})
	kick := make(chan struct{}, 1)
	kicksMu.Lock()
	nextKick++
	key := nextKick
	kicks[key] = kick
	kicksMu.Unlock()
	forget := func() {
		kicksMu.Lock()
		delete(kicks, key)
		kicksMu.Unlock()
	}
	var iface, addr windows.Handle
	// The context argument is an opaque value handed back to the
	// callback, never dereferenced: the key, not a Go pointer.
	if err := windows.NotifyIpInterfaceChange(windows.AF_UNSPEC, ifaceCallback, ptr(key), false, &iface); err != nil {
		forget()
		return fmt.Errorf("NotifyIpInterfaceChange: %w", err)
	}
	if err := windows.NotifyUnicastIpAddressChange(windows.AF_UNSPEC, addrCallback, ptr(key), false, &addr); err != nil {
		windows.CancelMibChangeNotify2(iface)
		forget()
		return fmt.Errorf("NotifyUnicastIpAddressChange: %w", err)
	}
	go func() {
		defer forget()
		defer windows.CancelMibChangeNotify2(addr)
		defer windows.CancelMibChangeNotify2(iface)
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(settle):
			}
			select { // drop what arrived while settling
			case <-kick:
			default:
			}
			log.Info("network changed (IP Helper notification)")
			ev.Back()
		}
	}()
	return nil
}
