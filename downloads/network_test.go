//go:build unix && !darwin

package downloads

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// NetworkManager's bus name and object, as internal/netwatch talks to them.
const (
	nmName = "org.freedesktop.NetworkManager"
	nmPath = dbus.ObjectPath("/org/freedesktop/NetworkManager")
)

// startBus runs a real dbus-daemon on a private socket and returns its
// address (a stand-in system bus: CI machines run no NetworkManager).
func startBus(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("dbus-daemon"); err != nil {
		t.Skip("dbus-daemon is not installed (scripts/install-deps.sh desktop)")
	}
	cmd := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1", "--address=unix:dir="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}

// exportNetworkManager owns NetworkManager's name on the bus and serves
// its Metered property, as NetworkManager does (PropertiesChanged on
// change).
func exportNetworkManager(t *testing.T, addr string, metered uint32) *prop.Properties {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	props, err := prop.Export(conn, nmPath, prop.Map{nmName: {
		"Metered": {Value: metered, Writable: false, Emit: prop.EmitTrue},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(nmName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own %s: %v %v", nmName, reply, err)
	}
	return props
}

// On a metered network (NetworkManager's Metered, over D-Bus), a fetch
// with metered "wait" holds in waiting-network (waitReason metered) while
// one with "allow" downloads; once the network is not metered, it goes.
func TestMeteredNetworkHolds(t *testing.T) {
	addr := startBus(t)
	props := exportNetworkManager(t, addr, 1) // NM_METERED_YES
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	e := newEnv(t, func(c *Config) { c.WatchNetwork = true })
	srv := testserver.New(t)
	u := srv.Put("/f", randomBytes(64<<10))
	waitFor(t, "the metered state", 5*time.Second, func() bool {
		e.m.mu.Lock()
		defer e.m.mu.Unlock()
		return e.m.metered
	})
	held := e.fetchOpts("held", model.FetchRequest{Metered: model.MeteredWait}, u)
	free := e.fetchOpts("free", model.FetchRequest{Metered: model.MeteredAllow}, u)
	if got := e.waitSettled(free.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("allow on a metered network: %+v", got)
	}
	if r, _ := e.m.Registration(held.UID); r.State != model.StateWaitingNetwork || r.WaitReason != model.WaitMetered || r.Downloaded != 0 {
		t.Fatalf("wait on a metered network: %+v", r)
	}
	props.SetMust(nmName, "Metered", uint32(2)) // NM_METERED_NO
	if got := e.waitSettled(held.UID, 10*time.Second); got.Result != model.ResultSuccess {
		t.Fatalf("after the network stopped being metered: %+v", got)
	}
}
