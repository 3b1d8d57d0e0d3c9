package downloads

import (
	"os/exec"
	"strings"
	"testing"
)

// The arrows point down: the engine and the store import nothing of the
// API, the desktop app, the tray or Fyne (architecture.md).
func TestEngineImportsNoAPIOrUI(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "github.com/bgfetch/bgfetch/downloads/...", "github.com/bgfetch/bgfetch/persistence/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		for _, bad := range []string{"github.com/bgfetch/bgfetch/api", "github.com/bgfetch/bgfetch/app", "github.com/bgfetch/bgfetch/tray", "fyne.io/"} {
			if strings.HasPrefix(p, bad) {
				t.Errorf("the engine or the store depends on %s", p)
			}
		}
	}
}
