package datadir

import "testing"

// Run under Wine by the test bed.
func TestDefaultIsLocalAppData(t *testing.T) {
	t.Setenv(EnvDataDir, "")
	t.Setenv("LocalAppData", `C:\Users\Zoë\AppData\Local`)
	if got, err := Resolve(""); err != nil || got != `C:\Users\Zoë\AppData\Local\bgfetch` {
		t.Fatalf("default data dir %q %v", got, err)
	}
	if !IsDefault(`C:\Users\Zoë\AppData\Local\bgfetch`) {
		t.Fatal("not IsDefault")
	}
	if DefaultHelp() != `%LocalAppData%\bgfetch` {
		t.Fatalf("help says %q", DefaultHelp())
	}
}
