package datadir

import (
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The token file's access list is one entry, full access for the current
// user, and inherits none. Run under Wine by the test bed: Wine does not
// keep a file's security descriptor (it maps it to Unix mode bits and
// reads back a synthesized one), so there the test checks the list that
// restrictToUser applies, and the file's own only on real Windows.
func TestTokenACL(t *testing.T) {
	user, err := currentUser()
	if err != nil {
		t.Fatal(err)
	}
	acl, err := userOnlyACL()
	if err != nil {
		t.Fatal(err)
	}
	checkUserOnly(t, "restrictToUser's list", acl, user)

	// Not t.TempDir: its cleanup fails under Wine, whose NtSetInformationFile
	// lacks the POSIX-semantics delete Go's RemoveAll uses.
	dir, err := os.MkdirTemp("", "bgfetch-acl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if _, err := LoadOrCreateToken(dir); err != nil {
		t.Fatal(err)
	}
	if underWine() {
		t.Log("under Wine: the file's own security descriptor is not kept; checked the list applied")
		return
	}
	sd, err := windows.GetNamedSecurityInfo(TokenPath(dir), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatal(err)
	}
	control, _, err := sd.Control()
	if err != nil || control&windows.SE_DACL_PROTECTED == 0 {
		t.Fatalf("the token's DACL inherits entries (control %#x, %v)", control, err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("no DACL: %v", err)
	}
	checkUserOnly(t, "the token file's DACL", dacl, user)
}

func checkUserOnly(t *testing.T, what string, acl *windows.ACL, user *windows.SID) {
	t.Helper()
	if acl.AceCount != 1 {
		t.Fatalf("%s has %d entries, want 1", what, acl.AceCount)
	}
	var ace *windows.ACCESS_ALLOWED_ACE
	if err := windows.GetAce(acl, 0, &ace); err != nil {
		t.Fatal(err)
	}
	sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
	if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || !sid.Equals(user) {
		t.Fatalf("%s: the entry is type %d for %s, want access allowed for %s", what, ace.Header.AceType, sid, user)
	}
}

// underWine: Wine's ntdll exports wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
