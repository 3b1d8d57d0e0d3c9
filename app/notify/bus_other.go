//go:build !windows && !(unix && !darwin)

package notify

// BusConn has no meaning here (Options.Conn is Linux's).
type BusConn struct{}

// bus is the fallback (beeep: macOS's notification centre through
// osascript), without click-through.
type bus struct{ n *Notifier }

func startBus(n *Notifier) *bus { return &bus{n: n} }

func (b *bus) clickThrough() bool { return false }

func (b *bus) close() {}

func (b *bus) show(msg Message, iconPath string, replaces uint32) (uint32, error) {
	if replaces != 0 {
		return 0, nil
	}
	return 0, b.n.opts.Fallback(msg.Summary, msg.Body, iconPath)
}

// serverOwner is "": notifications here are not restored by id.
func (b *bus) serverOwner() string { return "" }
