// Package redact keeps secrets out of bgfetch's logs and error answers:
// bearer and basic credentials, Authorization, Proxy-Authorization, Cookie
// and API-key headers (in HTTP, JSON or Go map form), credentials in URLs
// (user:password@, as in proxy URLs), credential-like query parameters,
// hex dumps of stored records, and every secret registered with Secret
// (the API token). String cleans one text; Handler wraps a slog.Handler so
// that every message and attribute of a log is cleaned. Standard library
// only.
package redact

import (
	"regexp"
	"strings"
	"sync"
)

// Mark replaces what was removed.
const Mark = "[redacted]"

var (
	// Bearer/Basic/Digest credentials wherever they appear.
	schemeCred = regexp.MustCompile(`(?i)\b(bearer|basic|digest|negotiate)( +)[A-Za-z0-9._~+/=:-]{4,}`)
	// A header that carries a secret, then its value up to the end of the
	// value: a quote (JSON, escaped or not), a line end, "]" or the end.
	secretHeader = regexp.MustCompile(`(?i)\b((?:proxy-)?authorization|(?:set-)?cookie|x-api-key|api-key|x-auth-token|x-amz-security-token)(\\?"?\s*[:=]\s*\\?"?)([^"\\\r\n\]]*)`)
	// scheme://user:password@ (the authority's last "@" ends it).
	userinfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s"'\\<>]*@`)
	// ?token=…, &X-Amz-Signature=…, &password=… and the like.
	secretParam = regexp.MustCompile(`(?i)([?&;](?:[a-z0-9_.-]*(?:token|signature|secret|passw(?:or)?d|apikey|api_key|auth|credential|session|sig))=)[^&#\s"'\\<>]*`)
	// One line of a hex dump (Badger prints stored values that way):
	// offset, up to 16 bytes, and the ASCII column.
	hexDumpLine = regexp.MustCompile(`[0-9a-f]{8}  (?:[0-9a-f]{2} {1,2}){1,16} *\|.*?\|(?:\\n|\n|$)`)
)

var (
	mu      sync.RWMutex
	secrets = map[string]bool{}
)

// Secret registers s (a token) to be removed wherever it appears. Values
// shorter than 8 bytes are ignored: they would remove ordinary words.
func Secret(s string) {
	if len(s) < 8 {
		return
	}
	mu.Lock()
	secrets[s] = true
	mu.Unlock()
}

// String returns s with every secret it holds replaced by Mark.
func String(s string) string {
	if s == "" {
		return s
	}
	mu.RLock()
	for sec := range secrets {
		if strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, Mark)
		}
	}
	mu.RUnlock()
	if strings.Contains(s, "|") {
		first := true
		s = hexDumpLine.ReplaceAllStringFunc(s, func(string) string {
			if first {
				first = false
				return "[hex dump redacted]"
			}
			return ""
		})
	}
	s = secretHeader.ReplaceAllString(s, "${1}${2}"+Mark)
	s = schemeCred.ReplaceAllString(s, "${1}${2}"+Mark)
	s = userinfo.ReplaceAllString(s, "${1}"+Mark+"@")
	s = secretParam.ReplaceAllString(s, "${1}"+Mark)
	return s
}
