package tray

import (
	"os/exec"
	"strings"
	"testing"
)

// The tray sits beside the desktop app, not under it: it imports nothing
// under app/ (architecture.md).
func TestTrayImportsNothingOfApp(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.HasPrefix(p, "github.com/bgfetch/bgfetch/app") || strings.HasPrefix(p, "github.com/bgfetch/bgfetch/downloads") && p != "github.com/bgfetch/bgfetch/downloads/model" {
			t.Errorf("the tray depends on %s", p)
		}
	}
}
