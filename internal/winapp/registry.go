package winapp

// Registry locations under HKEY_CURRENT_USER (per user: no admin rights).
const (
	// ProtocolKey is the bgfetch: URL protocol's class.
	ProtocolKey = `Software\Classes\` + Scheme
	// AppUserModelIDKey holds the toast sender's name and icon for an
	// AppUserModelID (the key's last element).
	AppUserModelIDKey = `Software\Classes\AppUserModelId`
)

// Register writes the per-user registry entries a toast needs: the
// AppUserModelID id with its display name and icon (a PNG or ICO path),
// and the bgfetch: protocol that runs exe --activate "%1". It rewrites
// them at every start, so that a moved portable exe stays the handler.
// Elsewhere than on Windows it does nothing.
func Register(exe, id, displayName, iconPath string) error {
	return register(exe, id, displayName, iconPath)
}
