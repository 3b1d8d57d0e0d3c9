package desktopenv

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// TestNotificationActionRoundTrip proves the notification stack end to end:
// a Notify with a "default" action is displayed by dunst, `dunstctl action 0`
// clicks it, and the ActionInvoked signal carrying that notification's id
// reaches the sender.
func TestNotificationActionRoundTrip(t *testing.T) {
	env := Start(t)
	conn := env.Bus(t)

	if err := conn.AddMatchSignal(
		dbus.WithMatchInterface(NotificationsName),
		dbus.WithMatchMember("ActionInvoked"),
	); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)

	obj := conn.Object(NotificationsName, "/org/freedesktop/Notifications")

	var caps []string
	if err := obj.Call(NotificationsName+".GetCapabilities", 0).Store(&caps); err != nil {
		t.Fatalf("GetCapabilities: %v", err)
	}
	if !slices.Contains(caps, "actions") {
		t.Fatalf("notification server does not advertise actions: %v", caps)
	}

	var id uint32
	err := obj.Call(NotificationsName+".Notify", 0,
		"bgfetch-e2e", uint32(0), "", "Download complete", "movie.mkv (1.2 GB)",
		[]string{"default", "Open"}, map[string]dbus.Variant{}, int32(0),
	).Store(&id)
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if id == 0 {
		t.Fatal("Notify returned id 0")
	}

	waitUntil(t, "dunst to display the notification", func() bool {
		return env.Dunstctl(t, "count", "displayed") == "1"
	})

	// The notification is really drawn on the X screen.
	shot := filepath.Join(t.TempDir(), "screen.png")
	env.Screenshot(t, shot)
	if !hasContent(t, shot) {
		t.Errorf("screenshot %s is a blank screen; dunst drew nothing", shot)
	}

	env.Dunstctl(t, "action", "0")

	timeout := time.After(10 * time.Second)
	for {
		select {
		case sig := <-signals:
			if sig.Name != NotificationsName+".ActionInvoked" || len(sig.Body) != 2 {
				continue
			}
			gotID, _ := sig.Body[0].(uint32)
			key, _ := sig.Body[1].(string)
			if gotID != id || key != "default" {
				t.Fatalf("ActionInvoked(%v, %q), want (%d, \"default\")", sig.Body[0], key, id)
			}
			return
		case <-timeout:
			t.Fatalf("no ActionInvoked signal for notification %d", id)
		}
	}
}

// TestStatusNotifierWatcher checks the tray side: the watcher answers its
// properties and tracks hosts and items registering with it.
func TestStatusNotifierWatcher(t *testing.T) {
	env := Start(t)
	conn := env.Bus(t)
	w := conn.Object(SNIWatcherName, "/StatusNotifierWatcher")

	hostRegistered := func() bool {
		v, err := w.GetProperty(SNIWatcherName + ".IsStatusNotifierHostRegistered")
		if err != nil {
			t.Fatalf("IsStatusNotifierHostRegistered: %v", err)
		}
		b, ok := v.Value().(bool)
		if !ok {
			t.Fatalf("IsStatusNotifierHostRegistered is %T, want bool", v.Value())
		}
		return b
	}
	if hostRegistered() {
		t.Fatal("fresh watcher claims a host is registered")
	}

	// Register ourselves as a host, the way a panel would.
	host := "org.kde.StatusNotifierHost-bgfetch-e2e"
	if reply, err := conn.RequestName(host, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName(%s) = %v, %v", host, reply, err)
	}
	if call := w.Call(SNIWatcherName+".RegisterStatusNotifierHost", 0, host); call.Err != nil {
		t.Fatalf("RegisterStatusNotifierHost: %v", call.Err)
	}
	waitUntil(t, "IsStatusNotifierHostRegistered to become true", hostRegistered)

	// Register an item under our unique name; the watcher must list it.
	if call := w.Call(SNIWatcherName+".RegisterStatusNotifierItem", 0, conn.Names()[0]); call.Err != nil {
		t.Fatalf("RegisterStatusNotifierItem: %v", call.Err)
	}
	waitUntil(t, "the item to appear in RegisteredStatusNotifierItems", func() bool {
		v, err := w.GetProperty(SNIWatcherName + ".RegisteredStatusNotifierItems")
		if err != nil {
			t.Fatalf("RegisteredStatusNotifierItems: %v", err)
		}
		items, _ := v.Value().([]string)
		for _, it := range items {
			if strings.HasPrefix(it, conn.Names()[0]) {
				return true
			}
		}
		return false
	})
}

// TestSessionsAreIsolated checks two sessions in one process get their own
// display, bus and runtime directory, and that Environ points at them.
func TestSessionsAreIsolated(t *testing.T) {
	a, b := Start(t), Start(t)
	if a.Display == b.Display || a.DBusAddress == b.DBusAddress || a.RuntimeDir == b.RuntimeDir {
		t.Fatalf("sessions share resources: %+v vs %+v", a, b)
	}
	env := a.Environ()
	for _, want := range []string{"DISPLAY=" + a.Display, "DBUS_SESSION_BUS_ADDRESS=" + a.DBusAddress, "XDG_RUNTIME_DIR=" + a.RuntimeDir} {
		if !slices.Contains(env, want) {
			t.Errorf("Environ() lacks %q", want)
		}
	}
	for _, kv := range env {
		if strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			t.Errorf("Environ() keeps %q", kv)
		}
	}
	if fi, err := os.Stat(a.RuntimeDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("runtime dir %s: %v, mode %v", a.RuntimeDir, err, fi.Mode())
	}
}

// TestCleanupStopsEverything runs a session in a subtest and checks that
// once the subtest's cleanups ran, its X socket and bus are gone.
func TestCleanupStopsEverything(t *testing.T) {
	var env *Env
	var pids []int
	t.Run("session", func(t *testing.T) {
		env = Start(t)
		env.mu.Lock()
		for _, p := range env.procs {
			pids = append(pids, p.cmd.Process.Pid)
		}
		env.mu.Unlock()
	})
	if len(pids) != 4 {
		t.Fatalf("expected 4 processes, got %d", len(pids))
	}
	for _, pid := range pids {
		// The processes were reaped by Wait, so the pid is gone (or, very
		// unlikely, reused by something that is not ours).
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil {
			for _, name := range []string{"Xvfb", "dbus-daemon", "dunst", "status-notifier"} {
				if strings.Contains(string(b), name) {
					t.Errorf("process %d (%s) still running after cleanup", pid, name)
				}
			}
		}
	}
	if _, err := os.Stat(env.Dir); !os.IsNotExist(err) {
		t.Errorf("scratch dir %s not removed: %v", env.Dir, err)
	}
	if _, err := dbus.Connect(env.DBusAddress); err == nil {
		t.Errorf("bus %s still accepts connections", env.DBusAddress)
	}
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// hasContent reports whether the image at path is not a single flat colour.
func hasContent(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	bounds := img.Bounds()
	if bounds != image.Rect(0, 0, 1280, 800) {
		t.Fatalf("screenshot is %v, want 1280x800", bounds)
	}
	r0, g0, b0, _ := img.At(0, 0).RGBA()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 2 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 2 {
			r, g, b, _ := img.At(x, y).RGBA()
			if r != r0 || g != g0 || b != b0 {
				return true
			}
		}
	}
	return false
}
