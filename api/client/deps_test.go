package client

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// An app that imports the client links the API's shapes and nothing of
// the engine: no downloads, no store (Badger), no grab, no Fyne.
func TestClientLinksNoEngine(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	got := strings.Fields(string(out))
	slices.Sort(got)
	want := []string{
		"github.com/bgfetch/bgfetch/api/client",
		"github.com/bgfetch/bgfetch/api/datadir",
		"github.com/bgfetch/bgfetch/downloads/model",
		"github.com/bgfetch/bgfetch/internal/sse",
		"github.com/bgfetch/bgfetch/internal/version",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("api/client depends on %q, want only %q", got, want)
	}
}
