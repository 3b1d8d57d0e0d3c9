package e2ewine

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestMSI: the per-user MSI installs without a prompt under
// %LocalAppData%\Programs\bgfetch with a Start-menu shortcut, the bgfetch:
// protocol and the toasts' AppUserModelID; the installed exe passes a
// headless smoke test (serve, fetch --wait into a destination, bytes
// equal); AUTOSTART=1 adds the Run value; uninstalling removes the program,
// the shortcut, the registry entries and a Run value the tray wrote, and
// leaves the data and the downloaded files.
func TestMSI(t *testing.T) {
	if msi == "" {
		t.Skip("BGFETCH_WINE_MSI not set")
	}
	out, err := exec.Command("msiinfo", "export", msi, "MsiShortcutProperty").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "System.AppUserModel.ID\tio.github.bgfetch.bgfetch") {
		t.Fatalf("the shortcut's AppUserModelID is not in the MSI: %v\n%s", err, out)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(os.Getenv("WINEPREFIX"), "drive_c", "users", u.Username)
	prog := filepath.Join(profile, "AppData", "Local", "Programs", "bgfetch")
	lnk := filepath.Join(profile, "AppData", "Roaming", "Microsoft", "Windows", "Start Menu", "Programs", "bgfetch.lnk")
	installedExe := `C:\users\` + u.Username + `\AppData\Local\Programs\bgfetch\bgfetch.exe`

	install := func(t *testing.T, props ...string) {
		t.Helper()
		if out, code := run(t, 2*time.Minute, append([]string{"msiexec", "/i", winPath(msi), "/qn"}, props...)...); code != 0 {
			t.Fatalf("msiexec /i: %d %s", code, out)
		}
	}
	uninstall := func(t *testing.T) {
		t.Helper()
		if out, code := run(t, 2*time.Minute, "msiexec", "/x", winPath(msi), "/qn"); code != 0 {
			t.Fatalf("msiexec /x: %d %s", code, out)
		}
	}
	run(t, 20*time.Second, "reg", "delete", runKey, "/v", "bgfetch", "/f")

	install(t)
	for _, f := range []string{"bgfetch.exe", "bgfetch-cli.exe", "bgfetch.png"} {
		if _, err := os.Stat(filepath.Join(prog, f)); err != nil {
			t.Fatalf("installed %s: %v", f, err)
		}
	}
	if _, err := os.Stat(lnk); err != nil {
		t.Fatalf("Start-menu shortcut: %v", err)
	}
	for _, c := range []struct{ key, name, want string }{
		{`HKCU\Software\Classes\bgfetch\shell\open\command`, "", `"` + installedExe + `" --activate "%1"`},
		{`HKCU\Software\Classes\AppUserModelId\io.github.bgfetch.bgfetch`, "DisplayName", "bgfetch"},
	} {
		if v, ok := regValue(t, c.key, c.name); !ok || v != c.want {
			t.Fatalf(`%s\%s = %q, want %q`, c.key, c.name, v, c.want)
		}
	}
	if _, ok := regValue(t, runKey, "bgfetch"); ok {
		t.Fatal("a Run value without AUTOSTART=1")
	}

	// The installed exe, headless: serve, and fetch into a destination.
	srv := testserver.New(t)
	body := testserver.Pattern(3 << 20)
	url := srv.Put("/smoke/ep.bin", body)
	data, dest := t.TempDir(), t.TempDir()
	serve := wine(filepath.Join(prog, "bgfetch.exe"), "serve", "--headless", "--data-dir", winPath(data))
	var log bytes.Buffer
	serve.Stdout, serve.Stderr = &log, &log
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the installed daemon", func() bool {
		_, err := os.Stat(filepath.Join(data, "endpoint"))
		return err == nil
	})
	cli := filepath.Join(prog, "bgfetch-cli.exe")
	if out, code := run(t, time.Minute, cli, "--data-dir", winPath(data), "fetch", "--id", "smoke", "--dest", winPath(dest), "--wait", url); code != 0 {
		t.Fatalf("installed fetch --wait: %d %s\n%s", code, out, log.String())
	}
	if got, err := os.ReadFile(filepath.Join(dest, "ep.bin")); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("downloaded file: %d bytes, %v", len(got), err)
	}
	if out, code := run(t, time.Minute, winTool, "endsession", winPath(data)); code != 0 {
		t.Fatalf("endsession: %d %s", code, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() { <-ctx.Done(); serve.Process.Kill() }()
	if err := serve.Wait(); err != nil || ctx.Err() != nil {
		t.Fatalf("the installed daemon after log-off: %v\n%s", err, log.String())
	}

	// The tray's Start at login, written by the app, not the installer.
	run(t, 20*time.Second, "reg", "add", runKey, "/v", "bgfetch", "/d", `"`+installedExe+`" --hidden`, "/f")
	uninstall(t)
	for _, p := range []string{prog, lnk} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left after uninstall: %v", p, err)
		}
	}
	for _, k := range []struct{ key, name string }{
		{`HKCU\Software\Classes\bgfetch`, ""},
		{`HKCU\Software\Classes\AppUserModelId\io.github.bgfetch.bgfetch`, "DisplayName"},
		{runKey, "bgfetch"},
	} {
		if _, ok := regValue(t, k.key, k.name); ok {
			t.Errorf(`%s\%s left after uninstall`, k.key, k.name)
		}
	}
	if got, err := os.ReadFile(filepath.Join(dest, "ep.bin")); err != nil || !bytes.Equal(got, body) {
		t.Errorf("the downloaded file after uninstall: %d bytes, %v", len(got), err)
	}
	if _, err := os.Stat(filepath.Join(data, "store")); err != nil {
		t.Errorf("the data after uninstall: %v", err)
	}

	// AUTOSTART=1: the Run value, removed again by the uninstall.
	install(t, "AUTOSTART=1")
	if v, ok := regValue(t, runKey, "bgfetch"); !ok || v != `"`+installedExe+`" --hidden` {
		t.Fatalf("Run value with AUTOSTART=1: %q %v", v, ok)
	}
	uninstall(t)
	if _, ok := regValue(t, runKey, "bgfetch"); ok {
		t.Fatal("Run value left after uninstall")
	}
}
