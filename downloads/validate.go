package downloads

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Limits of a fetch() call.
const (
	MaxIDBytes       = 1024
	MaxRequests      = 10000
	MaxAppNameBytes  = 255
	MaxTitleBytes    = 1024
	MaxIcons         = 32
	maxHeaderEntries = 100
)

// badPorts is the Fetch standard's list of blocked ports.
var badPorts = map[int]bool{
	0: true, 1: true, 7: true, 9: true, 11: true, 13: true, 15: true, 17: true, 19: true, 20: true,
	21: true, 22: true, 23: true, 25: true, 37: true, 42: true, 43: true, 53: true, 69: true,
	77: true, 79: true, 87: true, 95: true, 101: true, 102: true, 103: true, 104: true, 109: true,
	110: true, 111: true, 113: true, 115: true, 117: true, 119: true, 123: true, 135: true,
	137: true, 139: true, 143: true, 161: true, 179: true, 389: true, 427: true, 465: true,
	512: true, 513: true, 514: true, 515: true, 526: true, 530: true, 531: true, 532: true,
	540: true, 548: true, 554: true, 556: true, 563: true, 587: true, 601: true, 636: true,
	989: true, 990: true, 993: true, 995: true, 1719: true, 1720: true, 1723: true, 2049: true,
	3659: true, 4045: true, 4190: true, 5060: true, 5061: true, 6000: true, 6566: true,
	6665: true, 6666: true, 6667: true, 6668: true, 6669: true, 6679: true, 6697: true, 10080: true,
}

// reservedHeaders are request headers bgfetch sets itself: a client that
// sets them could break resume or framing.
var reservedHeaders = map[string]bool{
	"Range": true, "If-Range": true, "Host": true, "Content-Length": true,
	"Transfer-Encoding": true, "Connection": true, "Te": true, "Upgrade": true,
	"Keep-Alive": true, "Trailer": true, "Expect": true,
}

var allowedMethods = map[string]bool{
	"GET": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true,
}

// ValidateID checks a fetch id (spec B.13).
func ValidateID(id string) error {
	if id == "" {
		return typeErrorf("the id must not be empty")
	}
	if len(id) > MaxIDBytes {
		return typeErrorf("the id is %d bytes long; the limit is %d", len(id), MaxIDBytes)
	}
	return nil
}

// ValidateApp checks an app name: 1–255 bytes of letters, digits, '.', '_' and '-'.
func ValidateApp(app string) error {
	if app == "" || len(app) > MaxAppNameBytes {
		return typeErrorf("the app name must be 1 to %d characters", MaxAppNameBytes)
	}
	for _, c := range app {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return typeErrorf("the app name %q may hold only letters, digits, '.', '_' and '-'", app)
		}
	}
	return nil
}

// ValidateURL checks a request or icon URL (spec B.10): absolute http(s),
// no credentials, no blocked port.
func ValidateURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, typeErrorf("malformed URL %q", raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, typeErrorf("URL %q: only http and https are supported", raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, typeErrorf("URL %q has no host", raw)
	}
	if u.User != nil {
		return nil, typeErrorf("URL %q carries credentials; pass them in an Authorization header", raw)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, typeErrorf("URL %q has an invalid port", raw)
		}
		if badPorts[n] {
			return nil, typeErrorf("URL %q uses port %d, which fetch blocks", raw, n)
		}
	}
	return u, nil
}

// normalizeRequest validates one request and fills defaults.
func normalizeRequest(i int, r Request) (Request, error) {
	if _, err := ValidateURL(r.URL); err != nil {
		return r, err
	}
	r.Method = strings.ToUpper(strings.TrimSpace(r.Method))
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if !allowedMethods[r.Method] {
		return r, typeErrorf("request %d: method %q is not allowed", i, r.Method)
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && len(r.Body) > 0 {
		return r, typeErrorf("request %d: a %s request cannot have a body", i, r.Method)
	}
	if len(r.Headers) > maxHeaderEntries {
		return r, typeErrorf("request %d: more than %d headers", i, maxHeaderEntries)
	}
	hs := make(map[string]string, len(r.Headers))
	for k, v := range r.Headers {
		if !validHeaderName(k) || strings.ContainsAny(v, "\r\n\x00") {
			return r, typeErrorf("request %d: invalid header %q", i, k)
		}
		ck := http.CanonicalHeaderKey(k)
		if reservedHeaders[ck] {
			return r, typeErrorf("request %d: header %s is managed by bgfetch", i, ck)
		}
		hs[ck] = v
	}
	r.Headers = hs
	if r.Integrity != "" {
		if _, err := parseIntegrity(r.Integrity); err != nil {
			return r, typeErrorf("request %d: %v", i, err)
		}
	}
	return r, nil
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for _, c := range k {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", c) {
			return false
		}
	}
	return true
}

// parseIntegrity decodes "sha256-<base64>" into the expected digest.
func parseIntegrity(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, "sha256-")
	if !ok {
		return nil, typeErrorf("integrity %q: only sha256-<base64> is supported", s)
	}
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) != sha256.Size {
		return nil, typeErrorf("integrity %q is not a base64 SHA-256 digest", s)
	}
	return sum, nil
}

func validateOptions(o *FetchOptions) error {
	if len(o.Title) > MaxTitleBytes {
		return typeErrorf("the title is longer than %d bytes", MaxTitleBytes)
	}
	if len(o.Icons) > MaxIcons {
		return typeErrorf("more than %d icons", MaxIcons)
	}
	for _, ic := range o.Icons {
		if _, err := ValidateURL(ic.Src); err != nil {
			return typeErrorf("icon: %s", err.(*Error).Message)
		}
	}
	if o.DownloadTotal < 0 {
		return typeErrorf("downloadTotal must not be negative")
	}
	if o.Destination != "" {
		if !filepath.IsAbs(o.Destination) {
			return typeErrorf("destination %q must be an absolute path", o.Destination)
		}
		o.Destination = filepath.Clean(o.Destination)
	}
	return nil
}
