package e2eapi

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Under LANG=C.UTF-8 (servers, CI) bgfetch prints its version and nothing
// else: no Fyne locale error on stderr (internal/localefix), and the
// environment it hands to children is left as it was.
func TestCLocaleIsQuiet(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "--version")
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("--version: %v %s", err, stderr.String())
	}
	if !strings.HasPrefix(string(out), "bgfetch ") {
		t.Fatalf("stdout = %q", out)
	}
	if stderr.Len() != 0 {
		t.Fatalf("stderr under LANG=C.UTF-8: %q", stderr.String())
	}
}
