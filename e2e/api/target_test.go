package e2eapi

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The suite tests whichever bgfetch the environment names, so that the
// same tests run against the Linux binary and, through Wine, against the
// Windows exe (packaging/windows/test-wine.sh):
//
//	BGFETCH_E2E_BINARY  the daemon to test (`serve --headless`), and the CLI
//	                    unless BGFETCH_E2E_CLI is set; any executable, e.g. a
//	                    wrapper that execs `wine64 bgfetch.exe "$@"`. Unset:
//	                    TestMain builds bgfetch from this checkout.
//	BGFETCH_E2E_CLI     the binary for CLI commands (e.g. bgfetch-cli.exe's
//	                    wrapper); default BGFETCH_E2E_BINARY.
//	BGFETCH_E2E_GOOS    the OS the binary is built for (default this one's):
//	                    "windows" gives it Windows paths (Z:\… for Wine's view
//	                    of /), stops it as Windows' log-off does
//	                    (e2e/internal/wintool) and skips, with a reason,
//	                    what cannot apply there (Unix sockets, file modes).
//	BGFETCH_E2E_EXEC    what runs the suite's own helper programs built for
//	                    BGFETCH_E2E_GOOS (e.g. /usr/lib/wine/wine64); empty:
//	                    they run directly.
const (
	envBinary = "BGFETCH_E2E_BINARY"
	envCLI    = "BGFETCH_E2E_CLI"
	envGOOS   = "BGFETCH_E2E_GOOS"
	envExec   = "BGFETCH_E2E_EXEC"
)

var (
	// binary runs the daemon; cliBinary the CLI commands.
	binary, cliBinary string
	// targetOS is the OS binary is built for.
	targetOS = runtime.GOOS
	// testHandler is e2e/internal/testhandler built for targetOS: the
	// command handler the handler tests install.
	testHandler string
	// winTool is e2e/internal/wintool (Windows only).
	winTool string
)

// setUpTarget builds what the environment does not name into dir.
func setUpTarget(dir string) error {
	if goos := os.Getenv(envGOOS); goos != "" {
		targetOS = goos
	}
	exe := ""
	if onWindows() {
		exe = ".exe"
	}
	binary = os.Getenv(envBinary)
	if binary == "" {
		binary = filepath.Join(dir, "bgfetch"+exe)
		args := []string{"build", "-o", binary}
		if raceEnabled && targetOS == runtime.GOOS {
			args = append(args, "-race")
		}
		if err := goBuild(append(args, "github.com/bgfetch/bgfetch")...); err != nil {
			return fmt.Errorf("build bgfetch: %w", err)
		}
	}
	cliBinary = os.Getenv(envCLI)
	if cliBinary == "" {
		cliBinary = binary
	}
	testHandler = filepath.Join(dir, "testhandler"+exe)
	if err := goBuild("build", "-o", testHandler, "github.com/bgfetch/bgfetch/e2e/internal/testhandler"); err != nil {
		return fmt.Errorf("build the test handler: %w", err)
	}
	if onWindows() {
		winTool = filepath.Join(dir, "wintool.exe")
		if err := goBuild("build", "-o", winTool, "github.com/bgfetch/bgfetch/e2e/internal/wintool"); err != nil {
			return fmt.Errorf("build wintool: %w", err)
		}
	}
	return nil
}

// helperCommand runs one of the suite's helper programs built for
// targetOS (through BGFETCH_E2E_EXEC when set).
func helperCommand(path string, args ...string) *exec.Cmd {
	if run := strings.Fields(os.Getenv(envExec)); len(run) > 0 {
		return exec.Command(run[0], append(append(run[1:], path), args...)...)
	}
	return exec.Command(path, args...)
}

// goBuild runs `go ARGS…` for targetOS.
func goBuild(args ...string) error {
	cmd := exec.Command("go", args...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if targetOS != runtime.GOOS {
		// Only the test handler is cross-built here; it needs no cgo.
		cmd.Env = append(os.Environ(), "GOOS="+targetOS, "CGO_ENABLED=0")
	}
	return cmd.Run()
}

func onWindows() bool { return targetOS == "windows" }

// skipOnWindows skips a test (or part of one) that cannot apply to a
// Windows exe, saying why.
func skipOnWindows(t *testing.T, why string) {
	t.Helper()
	if onWindows() {
		t.Skip("not on Windows: " + why)
	}
}

// hostPath is how the binary under test names a local path: itself on
// Unix; under Wine, the Z: drive that maps /, with backslashes.
func hostPath(p string) string {
	if !onWindows() {
		return p
	}
	return `Z:` + strings.ReplaceAll(p, "/", `\`)
}

// localPath is the inverse of hostPath: a path the binary reported, as
// this process opens it.
func localPath(p string) string {
	if !onWindows() {
		return p
	}
	if len(p) >= 2 && (p[0] == 'Z' || p[0] == 'z') && p[1] == ':' {
		p = p[2:]
	}
	return strings.ReplaceAll(p, `\`, "/")
}

// askToStop asks the daemon to shut down cleanly: SIGTERM on Unix. On
// Windows, as the session's end does (WM_QUERYENDSESSION, WM_ENDSESSION to
// its instance window, e2e/internal/wintool): under Wine SIGTERM is an
// abrupt kill, and the GUI-subsystem exe gets no Ctrl-C. Should the
// daemon have no instance window, it gets SIGINT, which Wine turns into
// Ctrl-C for a console program.
func (d *daemon) askToStop(t *testing.T) {
	if !onWindows() {
		d.cmd.Process.Signal(syscall.SIGTERM)
		return
	}
	// The instance window comes up just after the endpoint file: a test
	// that stops at once may ask before it is there (exit status 3).
	var out []byte
	var err error
	for try := 0; try < 20; try++ {
		out, err = helperCommand(winTool, "endsession", hostPath(d.dir)).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Logf("endsession %s: %v %s; sending SIGINT", d.dir, err, out)
		d.cmd.Process.Signal(os.Interrupt)
	}
}

// handlerCommand is the command handler the tests install: the test
// handler with args (see e2e/internal/testhandler).
func handlerCommand(args ...string) []string {
	return append([]string{hostPath(testHandler)}, args...)
}

// wineCannotRemoveAll reports a known gap of Wine, not of bgfetch: Go's
// os.RemoveAll on Windows deletes with POSIX semantics
// (FILE_DISPOSITION_POSIX_SEMANTICS), which Wine 8 lacks ("unlinkat …:
// Invalid function."), so under Wine a released fetch's bodies stay. The
// harness tolerates exactly that logged error; real Windows deletes them.
func (d *daemon) wineCannotRemoveAll() bool {
	return onWindows() && strings.Contains(d.logText(), "Invalid function.")
}
