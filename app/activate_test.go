package app

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/api/cli"
)

func TestActivationURL(t *testing.T) {
	for _, c := range []struct {
		args []string
		url  string
		ok   bool
	}{
		{[]string{"--activate", "bgfetch:click?uid=r_1"}, "bgfetch:click?uid=r_1", true},
		{[]string{"--activate=bgfetch:click?uid=r_1"}, "bgfetch:click?uid=r_1", true},
		{[]string{"--activate"}, "", false},
		{[]string{"--data-dir", "x", "--activate", "u"}, "", false},
		{[]string{"ids"}, "", false},
		{nil, "", false},
	} {
		if url, ok := ActivationURL(c.args); url != c.url || ok != c.ok {
			t.Errorf("ActivationURL(%q) = %q %v", c.args, url, ok)
		}
	}
}

// A URL from anywhere starts nothing: a malformed one is refused, and one
// naming a directory bgfetch never used does not start the app there.
func TestActivateRefuses(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Activate("bgfetch:click?uid=evil&dir=C:%5Cx", nil, &out, &errOut); code != cli.ExitUsage || !strings.Contains(errOut.String(), "not a registration uid") {
		t.Fatalf("malformed: %d %q", code, errOut.String())
	}
	errOut.Reset()
	code := Activate("bgfetch:click?uid=r_0123456789abcdef01234567&dir=C:%5Cnot-bgfetch", nil, &out, &errOut)
	if code != cli.ExitFailure || !strings.Contains(errOut.String(), "not a bgfetch data directory") {
		t.Fatalf("unknown directory: %d %q", code, errOut.String())
	}
}
