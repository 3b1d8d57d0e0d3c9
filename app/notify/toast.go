package notify

import (
	"encoding/xml"
	"strings"
)

// ToastXML is the Windows toast for msg: a generic toast with the icon,
// the summary and the body, activated by launching launch (a bgfetch: URL)
// as a protocol, with an "Open" button doing the same. Every value is
// escaped, so titles with <, & or "]]>" cannot break it (go-toast's own
// template pastes them in as they are). launch "" makes a toast whose
// click only dismisses it.
func ToastXML(msg Message, iconPath, launch string) string {
	var b strings.Builder
	attr := func(s string) string {
		var e strings.Builder
		xml.EscapeText(&e, []byte(s))
		return strings.ReplaceAll(e.String(), `"`, "&quot;")
	}
	b.WriteString(`<toast`)
	if launch != "" {
		b.WriteString(` activationType="protocol" launch="` + attr(launch) + `"`)
	}
	b.WriteString(` duration="short"><visual><binding template="ToastGeneric">`)
	if iconPath != "" {
		b.WriteString(`<image placement="appLogoOverride" src="` + attr(iconPath) + `"/>`)
	}
	b.WriteString(`<text>` + attr(msg.Summary) + `</text>`)
	b.WriteString(`<text>` + attr(msg.Body) + `</text>`)
	b.WriteString(`</binding></visual>`)
	if launch != "" {
		b.WriteString(`<actions><action content="Open" activationType="protocol" arguments="` + attr(launch) + `"/></actions>`)
	}
	b.WriteString(`</toast>`)
	return b.String()
}
