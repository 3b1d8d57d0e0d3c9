package app

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// On Windows and macOS no bgfetch package talks D-Bus (or needs a
// $DISPLAY): the window, tray, notifications, single instance and network
// watch take each platform's own route. (fyne.io/systray links godbus on
// every OS through a file without a build tag, but calls it only on Linux
// and the BSDs.)
func TestNoDBusOnWindowsOrMac(t *testing.T) {
	for _, goos := range []string{"windows", "darwin"} {
		cmd := exec.Command("go", "list", "-tags", "no_emoji", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`,
			"github.com/bgfetch/bgfetch", "github.com/bgfetch/bgfetch/cmd/bgfetch-cli")
		cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH=amd64", "CGO_ENABLED=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list for %s: %v", goos, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			pkg, imports, _ := strings.Cut(line, " ")
			if !strings.HasPrefix(pkg, "github.com/bgfetch/bgfetch") {
				continue
			}
			for _, imp := range strings.Fields(imports) {
				if strings.HasPrefix(imp, "github.com/godbus/dbus") {
					t.Errorf("%s: %s imports %s", goos, pkg, imp)
				}
			}
		}
	}
}
