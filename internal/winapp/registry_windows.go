package winapp

import (
	"fmt"

	"golang.org/x/sys/windows/registry"
)

func register(exe, id, displayName, iconPath string) error {
	if err := setValues(AppUserModelIDKey+`\`+id, map[string]string{
		"DisplayName": displayName,
		"IconUri":     iconPath,
	}); err != nil {
		return err
	}
	if err := setValues(ProtocolKey, map[string]string{"": "URL:bgfetch", "URL Protocol": ""}); err != nil {
		return err
	}
	if err := setValues(ProtocolKey+`\DefaultIcon`, map[string]string{"": `"` + exe + `",0`}); err != nil {
		return err
	}
	return setValues(ProtocolKey+`\shell\open\command`, map[string]string{"": ProtocolCommand(exe)})
}

func setValues(path string, values map[string]string) error {
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`HKCU\%s: %w`, path, err)
	}
	defer k.Close()
	for name, v := range values {
		if name == "IconUri" && v == "" {
			continue
		}
		if err := k.SetStringValue(name, v); err != nil {
			return fmt.Errorf(`HKCU\%s %s: %w`, path, name, err)
		}
	}
	return nil
}
