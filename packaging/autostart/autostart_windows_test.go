package autostart

import (
	"testing"

	"golang.org/x/sys/windows/registry"
)

// Run under Wine by the test bed (packaging/windows/test-wine.sh): the
// real registry of the prefix.
func TestRunKey(t *testing.T) {
	Disable("")
	t.Cleanup(func() { Disable("") })
	if Enabled("") {
		t.Fatal("enabled before Enable")
	}
	exe := `C:\Users\me\AppData\Local\Programs\bgfetch\bgfetch.exe`
	for range 2 {
		if err := EnableExec("", exe); err != nil {
			t.Fatal(err)
		}
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, RunKeyPath, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := k.GetStringValue(RunValueName)
	k.Close()
	if err != nil || v != `"`+exe+`" --hidden` || !Enabled("") {
		t.Fatalf("Run value %q %v", v, err)
	}
	// Switched off in Task Manager: not enabled; Enable switches it on.
	a, _, err := registry.CreateKey(registry.CURRENT_USER, StartupApprovedPath, registry.SET_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	a.SetBinaryValue(RunValueName, []byte{3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	a.Close()
	if Enabled("") {
		t.Fatal("enabled although switched off")
	}
	if err := EnableExec("", exe); err != nil || !Enabled("") {
		t.Fatalf("re-enable: %v", err)
	}
	for range 2 {
		if err := Disable(""); err != nil {
			t.Fatal(err)
		}
	}
	if Enabled("") {
		t.Fatal("enabled after Disable")
	}
}
