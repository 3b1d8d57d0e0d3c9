package notify

import (
	"encoding/xml"
	"testing"

	"github.com/bgfetch/bgfetch/internal/winapp"
)

// The toast is well-formed XML whatever the title holds, and both its
// body click and its Open button launch the bgfetch: URL that
// winapp.ParseClickURL gives back as the data directory and uid.
func TestToastXML(t *testing.T) {
	dir := `C:\Users\Zoë & Co\AppData\Local\bgfetch`
	uid := "r_0123456789abcdef01234567"
	msg := Message{UID: uid, Summary: "Download complete", Body: `Ep <5> & "6" ]]> — 1 file, 3 MB`}
	raw := ToastXML(msg, `C:\icons\a&b.png`, winapp.ClickURL(dir, uid))
	var toast struct {
		ActivationType string `xml:"activationType,attr"`
		Launch         string `xml:"launch,attr"`
		Visual         struct {
			Binding struct {
				Image struct {
					Src string `xml:"src,attr"`
				} `xml:"image"`
				Texts []string `xml:"text"`
			} `xml:"binding"`
		} `xml:"visual"`
		Actions []struct {
			Type      string `xml:"activationType,attr"`
			Arguments string `xml:"arguments,attr"`
		} `xml:"actions>action"`
	}
	if err := xml.Unmarshal([]byte(raw), &toast); err != nil {
		t.Fatalf("not XML: %v\n%s", err, raw)
	}
	if toast.ActivationType != "protocol" || len(toast.Actions) != 1 || toast.Actions[0].Type != "protocol" || toast.Actions[0].Arguments != toast.Launch {
		t.Fatalf("activation %+v\n%s", toast, raw)
	}
	gotDir, gotUID, err := winapp.ParseClickURL(toast.Launch)
	if err != nil || gotDir != dir || gotUID != uid {
		t.Fatalf("launch %q → %q %q %v", toast.Launch, gotDir, gotUID, err)
	}
	b := toast.Visual.Binding
	if b.Image.Src != `C:\icons\a&b.png` || len(b.Texts) != 2 || b.Texts[0] != msg.Summary || b.Texts[1] != msg.Body {
		t.Fatalf("visual %+v", b)
	}
	var plain struct {
		ActivationType string `xml:"activationType,attr"`
		Launch         string `xml:"launch,attr"`
	}
	raw = ToastXML(msg, "", "")
	if err := xml.Unmarshal([]byte(raw), &plain); err != nil || plain.Launch != "" || plain.ActivationType != "" {
		t.Fatalf("a toast without a URL: %v %s", err, raw)
	}
}
