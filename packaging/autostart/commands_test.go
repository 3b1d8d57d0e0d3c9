package autostart

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

func TestRunCommand(t *testing.T) {
	got, err := RunCommand(`C:\Users\Zoë\AppData\Local\Programs\bgfetch\bgfetch.exe`)
	if err != nil || got != `"C:\Users\Zoë\AppData\Local\Programs\bgfetch\bgfetch.exe" --hidden` {
		t.Fatalf("%q %v", got, err)
	}
	for _, bad := range []string{"", `C:\a"b.exe`, "C:\\a\nb.exe"} {
		if _, err := RunCommand(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestApprovedDisabled(t *testing.T) {
	for b, want := range map[byte]bool{2: false, 6: false, 3: true, 7: true} {
		if got := ApprovedDisabled([]byte{b, 0, 0, 0}); got != want {
			t.Errorf("%02x: %v", b, got)
		}
	}
	if ApprovedDisabled(nil) {
		t.Error("no value means on")
	}
}

func TestLaunchAgentIsAPlist(t *testing.T) {
	exe := "/Applications/b&g <fetch>.app/Contents/MacOS/bgfetch"
	plist, err := LaunchAgent(exe)
	if err != nil {
		t.Fatal(err)
	}
	// Well-formed XML whose strings are the label, the exe and --hidden.
	dec := xml.NewDecoder(strings.NewReader(plist))
	dec.Strict = true
	var strs []string
	inString := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, plist)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			inString = v.Name.Local == "string"
		case xml.CharData:
			if inString {
				strs = append(strs, string(v))
			}
		case xml.EndElement:
			inString = false
		}
	}
	want := []string{AppID, exe, "--hidden", "Interactive", "Aqua"}
	if strings.Join(strs, "|") != strings.Join(want, "|") {
		t.Fatalf("strings %q, want %q", strs, want)
	}
	if !strings.Contains(plist, "<key>RunAtLoad</key>\n\t<true/>") {
		t.Fatal("RunAtLoad missing")
	}
}
