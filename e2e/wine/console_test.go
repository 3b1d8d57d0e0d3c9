package e2ewine

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConsoleCLI: bgfetch-cli.exe, the console-subsystem CLI, prints to
// cmd's console and cmd sees its exit status; a headless daemon run from a
// console ends cleanly on Ctrl-C (Wine delivers SIGINT as the Ctrl-C
// event). (That cmd does not wait for the GUI-subsystem bgfetch.exe is
// Windows' behaviour, which Wine's cmd does not reproduce: it is checked
// through the PE subsystem by packaging/test-package.sh.)
func TestConsoleCLI(t *testing.T) {
	cli := winPath(filepath.Join(dist, "bgfetch-cli.exe"))
	out, code := run(t, time.Minute, "cmd", "/c", cli+" --version & echo exit=%ERRORLEVEL%")
	if code != 0 || !strings.Contains(out, "bgfetch ") || !strings.Contains(out, "exit=0") {
		t.Fatalf("--version from cmd: %d %q", code, out)
	}
	dir := t.TempDir()
	out, _ = run(t, time.Minute, "cmd", "/c", cli+" --data-dir "+winPath(dir)+" ids & echo exit=%ERRORLEVEL%")
	if !strings.Contains(out, "bgfetch is not running") || !strings.Contains(out, "exit=3") {
		t.Fatalf("ids with no daemon, from cmd: %q", out)
	}

	serve := wine(filepath.Join(dist, "bgfetch-cli.exe"), "serve", "--headless", "--data-dir", winPath(dir))
	var log strings.Builder
	serve.Stdout, serve.Stderr = &log, &log
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serve.Wait() }()
	waitFor(t, time.Minute, "the endpoint file", func() bool {
		_, err := os.Stat(filepath.Join(dir, "endpoint"))
		return err == nil
	})
	out, code = run(t, time.Minute, "cmd", "/c", cli+" --data-dir "+winPath(dir)+" ids & echo exit=%ERRORLEVEL%")
	if code != 0 || !strings.Contains(out, "exit=0") {
		t.Fatalf("ids with the daemon: %d %q", code, out)
	}
	serve.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after Ctrl-C: %v\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		serve.Process.Kill()
		t.Fatalf("no clean exit within 30 s of Ctrl-C:\n%s", log.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "endpoint")); !os.IsNotExist(err) {
		t.Fatalf("endpoint file left after Ctrl-C: %v", err)
	}
}
