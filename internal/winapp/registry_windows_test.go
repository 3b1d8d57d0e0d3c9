package winapp

import (
	"testing"

	"golang.org/x/sys/windows/registry"
)

func TestRegister(t *testing.T) {
	exe := `C:\Users\me\AppData\Local\Programs\bgfetch\bgfetch.exe`
	if err := Register(exe, "io.github.bgfetch.test", "bgfetch", `C:\x\icon.png`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		registry.DeleteKey(registry.CURRENT_USER, AppUserModelIDKey+`\io.github.bgfetch.test`)
	})
	for _, c := range []struct{ key, name, want string }{
		{AppUserModelIDKey + `\io.github.bgfetch.test`, "DisplayName", "bgfetch"},
		{AppUserModelIDKey + `\io.github.bgfetch.test`, "IconUri", `C:\x\icon.png`},
		{ProtocolKey, "URL Protocol", ""},
		{ProtocolKey, "", "URL:bgfetch"},
		{ProtocolKey + `\shell\open\command`, "", `"` + exe + `" --activate "%1"`},
	} {
		k, err := registry.OpenKey(registry.CURRENT_USER, c.key, registry.QUERY_VALUE)
		if err != nil {
			t.Fatalf("%s: %v", c.key, err)
		}
		v, _, err := k.GetStringValue(c.name)
		k.Close()
		if err != nil || v != c.want {
			t.Errorf(`%s\%s = %q %v, want %q`, c.key, c.name, v, err, c.want)
		}
	}
}
