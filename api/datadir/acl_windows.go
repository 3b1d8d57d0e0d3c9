package datadir

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// restrictToUser gives f an access list of one entry, full access for the
// user running bgfetch, and no inherited entries: on Windows file modes
// mean nothing, and a file under %LocalAppData% would otherwise inherit
// access for SYSTEM and Administrators. The token file gets it before the
// token is written into it.
func restrictToUser(f *os.File) error {
	acl, err := userOnlyACL()
	if err != nil {
		return fmt.Errorf("restrict %s: %w", f.Name(), err)
	}
	// By name: f's handle was opened without WRITE_DAC.
	err = windows.SetNamedSecurityInfo(f.Name(), windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION,
		nil, nil, acl, nil)
	if err != nil {
		return fmt.Errorf("restrict %s: %w", f.Name(), err)
	}
	return nil
}

// userOnlyACL is one entry: full access for the current user.
func userOnlyACL() (*windows.ACL, error) {
	user, err := currentUser()
	if err != nil {
		return nil, err
	}
	return windows.ACLFromEntries([]windows.EXPLICIT_ACCESS{{
		AccessPermissions: windows.GENERIC_ALL,
		AccessMode:        windows.SET_ACCESS,
		Inheritance:       windows.NO_INHERITANCE,
		Trustee: windows.TRUSTEE{
			TrusteeForm:  windows.TRUSTEE_IS_SID,
			TrusteeType:  windows.TRUSTEE_IS_USER,
			TrusteeValue: windows.TrusteeValueFromSID(user),
		},
	}}, nil)
}

func currentUser() (*windows.SID, error) {
	var tok windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_QUERY, &tok); err != nil {
		return nil, err
	}
	defer tok.Close()
	u, err := tok.GetTokenUser()
	if err != nil {
		return nil, err
	}
	return u.User.Sid.Copy()
}
