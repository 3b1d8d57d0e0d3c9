package desktopenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Well-known bus names the session provides once Start returns.
const (
	NotificationsName = "org.freedesktop.Notifications"
	SNIWatcherName    = "org.kde.StatusNotifierWatcher"
)

// ReadyTimeout bounds how long Start waits for each component.
var ReadyTimeout = 30 * time.Second

// Env is one running private desktop session.
type Env struct {
	Display     string // e.g. ":3"
	DBusAddress string // the private session bus, e.g. "unix:path=/tmp/bgfenv-1/bus,guid=…"
	RuntimeDir  string // XDG_RUNTIME_DIR for processes in this session (mode 0700)
	Dir         string // scratch directory: configs and each component's log
	DunstConfig string // path of the dunstrc in use

	mu    sync.Mutex
	procs []*proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
	err  error         // Wait's result, valid after done
}

// required lists the binaries Start needs and the Debian package for each.
var required = []struct{ bin, pkg string }{
	{"Xvfb", "xvfb"},
	{"xdpyinfo", "x11-utils"},
	{"dbus-daemon", "dbus"},
	{"dbus-send", "dbus"},
	{"dunst", "dunst"},
	{"dunstctl", "dunst"},
	{"status-notifier-watcher", "haskell-status-notifier-item-utils"},
}

// Options choose the session's parts (the zero value: dunst).
type Options struct {
	// Notifications is the notification server: "dunst" (the default),
	// "xfce4-notifyd" or "notification-daemon".
	Notifications string
	// DunstDmenu is the program dunst runs as its context menu (dunstctl
	// context): it reads the actions, one a line, and prints the chosen
	// one. "" leaves the menu out.
	DunstDmenu string
}

// Start launches Xvfb, a private session bus, dunst and a
// StatusNotifierWatcher, waits until each is usable and registers cleanup.
// It fails the test (never skips) when a component is missing or does not
// come up.
func Start(t testing.TB) *Env { t.Helper(); return StartWith(t, Options{}) }

// StartWith is Start with another notification server or dunst's menu.
func StartWith(t testing.TB, o Options) *Env {
	t.Helper()
	var missing []string
	for _, r := range required {
		if _, err := exec.LookPath(r.bin); err != nil {
			missing = append(missing, fmt.Sprintf("%s (apt-get install %s)", r.bin, r.pkg))
		}
	}
	if len(missing) > 0 {
		t.Fatalf("desktopenv: missing binaries: %s; run scripts/install-deps.sh desktop", strings.Join(missing, ", "))
	}

	// A short path under $TMPDIR rather than t.TempDir(): unix socket paths
	// are limited to 108 bytes and test names can be long.
	dir, err := os.MkdirTemp("", "bgfenv-")
	if err != nil {
		t.Fatalf("desktopenv: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) }) // runs last (cleanups are LIFO)

	e := &Env{Dir: dir, RuntimeDir: filepath.Join(dir, "run")}
	if err := os.Mkdir(e.RuntimeDir, 0o700); err != nil {
		t.Fatalf("desktopenv: %v", err)
	}
	t.Cleanup(func() { e.stop(t) })

	e.startBus(t)
	e.startX(t)
	conn := e.Bus(t)
	switch o.Notifications {
	case "", "dunst":
		e.startDunst(t, conn, o.DunstDmenu)
	default:
		e.startNotifier(t, conn, o.Notifications)
	}
	e.startWatcher(t, conn)
	return e
}

// notifiers are the other freedesktop notification servers Debian has:
// their binaries live outside $PATH.
var notifiers = map[string]struct{ glob, pkg string }{
	"xfce4-notifyd":       {"/usr/lib/*/xfce4/notifyd/xfce4-notifyd", "xfce4-notifyd"},
	"notification-daemon": {"/usr/lib/notification-daemon/notification-daemon", "notification-daemon"},
}

func (e *Env) startNotifier(t testing.TB, conn *dbus.Conn, name string) {
	t.Helper()
	n, ok := notifiers[name]
	if !ok {
		t.Fatalf("desktopenv: no notification server %q", name)
	}
	bins, _ := filepath.Glob(n.glob)
	if len(bins) == 0 {
		t.Fatalf("desktopenv: %s not installed (apt-get install %s); run scripts/install-deps.sh desktop", name, n.pkg)
	}
	e.spawn(t, bins[0], nil, nil)
	e.waitOwner(t, conn, filepath.Base(bins[0]), NotificationsName)
}

// StartFileManager runs Thunar as a daemon, so that the session has
// org.freedesktop.FileManager1 (Show in folder) and windows of folders
// shown appear with the class "Thunar".
func (e *Env) StartFileManager(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("thunar"); err != nil {
		t.Fatalf("desktopenv: missing thunar (apt-get install thunar); run scripts/install-deps.sh desktop")
	}
	e.spawn(t, "thunar", []string{"--daemon"}, nil)
	e.waitOwner(t, e.Bus(t), "thunar", "org.freedesktop.FileManager1")
}

// Environ returns os.Environ() with DISPLAY, DBUS_SESSION_BUS_ADDRESS and
// XDG_RUNTIME_DIR pointing at this session (and WAYLAND_DISPLAY removed), for
// exec.Cmd.Env of processes under test.
func (e *Env) Environ() []string {
	drop := map[string]bool{
		"DISPLAY": true, "DBUS_SESSION_BUS_ADDRESS": true, "XDG_RUNTIME_DIR": true,
		"WAYLAND_DISPLAY": true, "XDG_SESSION_TYPE": true,
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	return append(env,
		"DISPLAY="+e.Display,
		"DBUS_SESSION_BUS_ADDRESS="+e.DBusAddress,
		"XDG_RUNTIME_DIR="+e.RuntimeDir,
		"XDG_SESSION_TYPE=x11",
	)
}

// Command returns an exec.Cmd that runs in this session's environment.
func (e *Env) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = e.Environ()
	return cmd
}

// Bus opens a new connection to the session bus, closed at cleanup.
func (e *Env) Bus(t testing.TB) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(e.DBusAddress)
	if err != nil {
		t.Fatalf("desktopenv: connect to session bus %s: %v", e.DBusAddress, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// Dunstctl runs dunstctl with args against this session's dunst and returns
// its trimmed standard output.
func (e *Env) Dunstctl(t testing.TB, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := e.Command(ctx, "dunstctl", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("desktopenv: dunstctl %s: %v: %s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// Screenshot saves the whole X screen to path (format from its extension,
// e.g. .png) with ImageMagick's `import -window root`.
func (e *Env) Screenshot(t testing.TB, path string) {
	t.Helper()
	if _, err := exec.LookPath("import"); err != nil {
		t.Fatalf("desktopenv: screenshot needs `import` (apt-get install imagemagick)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := e.Command(ctx, "import", "-window", "root", path).CombinedOutput()
	if err != nil {
		t.Fatalf("desktopenv: import -window root %s: %v: %s", path, err, out)
	}
}

func (e *Env) startBus(t testing.TB) {
	t.Helper()
	conf := filepath.Join(e.Dir, "session.conf")
	// Our own config instead of --session: no service activation (so
	// nothing but the components started here can own names) and a socket
	// inside e.Dir.
	err := os.WriteFile(conf, []byte(`<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=`+filepath.Join(e.Dir, "bus")+`</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`), 0o600)
	if err != nil {
		t.Fatalf("desktopenv: %v", err)
	}
	line := e.startWithPipe(t, "dbus-daemon", []string{"--config-file=" + conf, "--nofork", "--nopidfile", "--print-address=3"})
	if !strings.HasPrefix(line, "unix:") {
		t.Fatalf("desktopenv: dbus-daemon printed unexpected address %q", line)
	}
	e.DBusAddress = line
}

func (e *Env) startX(t testing.TB) {
	t.Helper()
	// -displayfd makes Xvfb pick the first free display number itself and
	// report it once it accepts connections: no races with parallel tests.
	line := e.startWithPipe(t, "Xvfb", []string{"-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"})
	n, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("desktopenv: Xvfb reported display %q: %v", line, err)
	}
	e.Display = ":" + strconv.Itoa(n)
	sock := fmt.Sprintf("/tmp/.X11-unix/X%d", n)
	e.waitFor(t, "Xvfb", "X socket "+sock+" and xdpyinfo", func() bool {
		if _, err := os.Stat(sock); err != nil {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return e.Command(ctx, "xdpyinfo").Run() == nil
	})
}

func (e *Env) startDunst(t testing.TB, conn *dbus.Conn, dmenu string) {
	t.Helper()
	e.DunstConfig = filepath.Join(e.Dir, "dunstrc")
	conf := dunstrc
	if dmenu != "" {
		conf = strings.Replace(conf, "dmenu = /bin/false", "dmenu = "+dmenu, 1)
	}
	if err := os.WriteFile(e.DunstConfig, []byte(conf), 0o600); err != nil {
		t.Fatalf("desktopenv: %v", err)
	}
	e.spawn(t, "dunst", []string{"-config", e.DunstConfig}, nil)
	e.waitOwner(t, conn, "dunst", NotificationsName)
}

// StartWM runs a window manager (openbox) on the display, for tests of what
// only a window manager does: closing a window politely (wmctrl -c sends
// _NET_CLOSE_WINDOW; the manager sends the window WM_DELETE_WINDOW). The
// other tests run without one, so their windows sit where they ask to.
func (e *Env) StartWM(t testing.TB) {
	t.Helper()
	for _, r := range []struct{ bin, pkg string }{{"openbox", "openbox"}, {"wmctrl", "wmctrl"}} {
		if _, err := exec.LookPath(r.bin); err != nil {
			t.Fatalf("desktopenv: missing %s (apt-get install %s); run scripts/install-deps.sh desktop", r.bin, r.pkg)
		}
	}
	e.spawn(t, "openbox", []string{"--sm-disable"}, nil)
	e.waitFor(t, "openbox", "a window manager (wmctrl -m)", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := e.Command(ctx, "wmctrl", "-m").Output()
		return err == nil && strings.Contains(string(out), "Openbox")
	})
}

// StopWatcher ends the StatusNotifierWatcher: from then on the session has
// no tray host, as on a desktop without one.
func (e *Env) StopWatcher(t testing.TB) {
	t.Helper()
	p := e.find("status-notifier-watcher")
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(ReadyTimeout):
		t.Fatalf("desktopenv: status-notifier-watcher did not stop")
	}
	conn := e.Bus(t)
	deadline := time.Now().Add(ReadyTimeout)
	for {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, SNIWatcherName).Store(&has)
		if err == nil && !has {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("desktopenv: %s still owned after the watcher stopped", SNIWatcherName)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *Env) startWatcher(t testing.TB, conn *dbus.Conn) {
	t.Helper()
	e.spawn(t, "status-notifier-watcher", nil, nil)
	e.waitOwner(t, conn, "status-notifier-watcher", SNIWatcherName)
}

// dunstrc keeps notifications on screen until acted on (timeout 0) so tests
// can find and click them, and makes a left click run the default action.
const dunstrc = `[global]
    monitor = 0
    follow = none
    origin = top-right
    offset = 10x40
    width = 320
    font = Monospace 9
    format = "<b>%a</b>\n%s\n%b"
    markup = full
    show_indicators = yes
    sticky_history = yes
    history_length = 50
    idle_threshold = 0
    startup_notification = false
    dmenu = /bin/false
    browser = /bin/false
    mouse_left_click = do_action, close_current
    mouse_middle_click = close_current
    mouse_right_click = close_all

[urgency_low]
    timeout = 0

[urgency_normal]
    timeout = 0

[urgency_critical]
    timeout = 0
`

// spawn starts name (a command, or a path: its base names the process)
// in its own process group with the session environment
// (as far as it exists yet), logging to Dir/name.log.
func (e *Env) spawn(t testing.TB, name string, args []string, extra []*os.File) *proc {
	t.Helper()
	logPath := filepath.Join(e.Dir, filepath.Base(name)+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("desktopenv: %v", err)
	}
	defer logf.Close()
	cmd := exec.Command(name, args...)
	cmd.Env = e.Environ()
	cmd.Dir = e.Dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.ExtraFiles = extra
	// Own process group so cleanup reaches any children; SIGKILL if the test
	// binary dies without running cleanups.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("desktopenv: start %s: %v", name, err)
	}
	p := &proc{name: filepath.Base(name), cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	e.mu.Lock()
	e.procs = append(e.procs, p)
	e.mu.Unlock()
	return p
}

// startWithPipe spawns name with a pipe as fd 3 and returns the first line
// it writes there (its readiness report).
func (e *Env) startWithPipe(t testing.TB, name string, args []string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatalf("desktopenv: %v", err)
	}
	defer r.Close()
	p := e.spawn(t, name, args, []*os.File{w})
	w.Close() // the child holds the write end now; EOF if it dies

	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{strings.TrimSpace(line), err}
	}()
	select {
	case res := <-ch:
		if res.line == "" {
			<-p.doneOrAfter(2 * time.Second)
			t.Fatalf("desktopenv: %s exited before reporting ready (%v)%s", name, res.err, e.tail(p))
		}
		return res.line
	case <-time.After(ReadyTimeout):
		t.Fatalf("desktopenv: %s not ready after %v%s", name, ReadyTimeout, e.tail(p))
	}
	return ""
}

func (p *proc) doneOrAfter(d time.Duration) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		select {
		case <-p.done:
		case <-time.After(d):
		}
		close(ch)
	}()
	return ch
}

func (e *Env) waitOwner(t testing.TB, conn *dbus.Conn, procName, busName string) {
	t.Helper()
	e.waitFor(t, procName, "bus name "+busName, func() bool {
		var has bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, busName).Store(&has)
		return err == nil && has
	})
}

// waitFor polls ready until it holds, failing early if procName exited.
func (e *Env) waitFor(t testing.TB, procName, what string, ready func() bool) {
	t.Helper()
	p := e.find(procName)
	deadline := time.Now().Add(ReadyTimeout)
	for {
		if ready() {
			return
		}
		select {
		case <-p.done:
			t.Fatalf("desktopenv: %s exited (%v) while waiting for %s%s", procName, p.err, what, e.tail(p))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("desktopenv: %s: no %s after %v%s", procName, what, ReadyTimeout, e.tail(p))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (e *Env) find(name string) *proc {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, p := range e.procs {
		if p.name == name {
			return p
		}
	}
	panic("desktopenv: no process " + name)
}

func (e *Env) tail(p *proc) string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return " (log empty)"
	}
	return "\n--- " + p.log + " ---\n" + string(b)
}

// stop kills every process group, newest first: SIGTERM, then SIGKILL after
// a grace period. On failure the components' logs are attached to the test.
func (e *Env) stop(t testing.TB) {
	e.mu.Lock()
	procs := e.procs
	e.procs = nil
	e.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		if t.Failed() {
			t.Logf("desktopenv: %s%s", p.name, e.tail(p))
		}
		pgid := p.cmd.Process.Pid
		if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Logf("desktopenv: SIGTERM %s: %v", p.name, err)
		}
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
		}
		// Children left in the group (if any) get no second chance.
		syscall.Kill(-pgid, syscall.SIGKILL)
	}
}
