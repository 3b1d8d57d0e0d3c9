package winapp

import "testing"

func TestClickURLRoundTrip(t *testing.T) {
	dir := `C:\Users\Zoë Smith\AppData\Local\bgfetch & co`
	raw := ClickURL(dir, "r_0123456789abcdef01234567")
	gotDir, gotUID, err := ParseClickURL(raw)
	if err != nil || gotDir != dir || gotUID != "r_0123456789abcdef01234567" {
		t.Fatalf("%s → %q %q %v", raw, gotDir, gotUID, err)
	}
	if raw[:len("bgfetch:click?")] != "bgfetch:click?" {
		t.Fatalf("URL %s", raw)
	}
}

func TestParseClickURLRefuses(t *testing.T) {
	for _, raw := range []string{
		"",
		"https://example.com/?uid=r_0123456789abcdef",
		"bgfetch:show?uid=r_0123456789abcdef&dir=C:%5Cx",
		"bgfetch:click?dir=C:%5Cx",
		"bgfetch:click?uid=x&dir=C:%5Cx",
		"bgfetch:click?uid=r_0123456789abcdef%26evil&dir=C:%5Cx",
		"bgfetch:click?uid=r_0123456789abcdef",
		"bgfetch:click?uid=r_0123456789abcdef&dir=relative%5Cdir",
		"bgfetch:click?uid=r_0123456789abcdef&dir=%5C%5Cserver%5Cshare",
		"bgfetch:click?uid=r_0123456789abcdef&dir=%5C%5C%3F%5CC:%5Cx",
		"bgfetch:click?uid=r_0123456789abcdef&dir=C:%5Cx%5C..%5Cy",
		"bgfetch:click?uid=r_0123456789abcdef&dir=C:/x",
		"bgfetch:click?uid=r_0123456789abcdef&dir=C:%5Cx%5C%5Cy",
	} {
		if d, u, err := ParseClickURL(raw); err == nil {
			t.Errorf("%q accepted: %q %q", raw, d, u)
		}
	}
}
