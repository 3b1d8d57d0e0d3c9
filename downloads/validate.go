package downloads

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/redact"
)

// Limits of a fetch() call.
const (
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
		return model.TypeErrorf("the id must not be empty")
	}
	if len(id) > model.MaxIDBytes {
		return model.TypeErrorf("the id is %d bytes long; the limit is %d", len(id), model.MaxIDBytes)
	}
	// A NUL cannot reach a handler's environment (BGFETCH_ID), and
	// invalid UTF-8 would make two ids one once shown or encoded.
	if strings.IndexByte(id, 0) >= 0 {
		return model.TypeErrorf("id: a NUL byte is not allowed in an id")
	}
	if !utf8.ValidString(id) {
		return model.TypeErrorf("id: the id is not valid UTF-8")
	}
	return nil
}

// ValidateApp checks an app name: 1–255 bytes of letters, digits, '.', '_' and '-'.
func ValidateApp(app string) error {
	if app == "" || len(app) > model.MaxAppNameBytes {
		return model.TypeErrorf("the app name must be 1 to %d characters", model.MaxAppNameBytes)
	}
	for _, c := range app {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return model.TypeErrorf("the app name %q may hold only letters, digits, '.', '_' and '-'", app)
		}
	}
	return nil
}

// ValidateURL checks a request or icon URL (spec B.10): absolute http(s),
// no credentials, no blocked port.
func ValidateURL(raw string) (*url.URL, error) {
	if len(raw) > model.MaxURLBytes {
		return nil, model.TypeErrorf("a URL of %d bytes; the limit is %d", len(raw), model.MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, model.TypeErrorf("malformed URL %q", redact.String(raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, model.TypeErrorf("URL %q: only http and https are supported", u.Redacted())
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, model.TypeErrorf("URL %q has no host", u.Redacted())
	}
	if u.User != nil {
		return nil, model.TypeErrorf("URL %q carries credentials; pass them in an Authorization header", u.Redacted())
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, model.TypeErrorf("URL %q has an invalid port", u.Redacted())
		}
		if badPorts[n] {
			return nil, model.TypeErrorf("URL %q uses port %d, which fetch blocks", u.Redacted(), n)
		}
	}
	return u, nil
}

// normalizeRequest validates one request and fills defaults.
func normalizeRequest(i int, r model.Request) (model.Request, error) {
	if _, err := ValidateURL(r.URL); err != nil {
		return r, err
	}
	r.Method = strings.ToUpper(strings.TrimSpace(r.Method))
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if !allowedMethods[r.Method] {
		return r, model.TypeErrorf("request %d: method %q is not allowed", i, r.Method)
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && len(r.Body) > 0 {
		return r, model.TypeErrorf("request %d: a %s request cannot have a body", i, r.Method)
	}
	if len(r.Body) > model.MaxUploadBytes {
		return r, model.TypeErrorf("request %d: the body is %d bytes; the limit is %d MiB", i, len(r.Body), model.MaxUploadBytes>>20)
	}
	if len(r.Headers) > maxHeaderEntries {
		return r, model.TypeErrorf("request %d: more than %d headers", i, maxHeaderEntries)
	}
	hs := make(map[string]string, len(r.Headers))
	size := 0
	for k, v := range r.Headers {
		if size += len(k) + len(v); size > model.MaxRequestHeaderBytes {
			return r, model.TypeErrorf("request %d: the headers are larger than %d KiB", i, model.MaxRequestHeaderBytes>>10)
		}
		if !validHeaderName(k) || strings.ContainsAny(v, "\r\n\x00") {
			return r, model.TypeErrorf("request %d: invalid header %q", i, k)
		}
		ck := http.CanonicalHeaderKey(k)
		if reservedHeaders[ck] {
			return r, model.TypeErrorf("request %d: header %s is managed by bgfetch", i, ck)
		}
		hs[ck] = v
	}
	r.Headers = hs
	if r.Integrity != "" {
		if _, err := parseIntegrity(r.Integrity); err != nil {
			return r, model.TypeErrorf("request %d: %v", i, err)
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
		return nil, model.TypeErrorf("integrity %q: only sha256-<base64> is supported", s)
	}
	sum, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(sum) != sha256.Size {
		return nil, model.TypeErrorf("integrity %q is not a base64 SHA-256 digest", s)
	}
	return sum, nil
}

// validateFetch checks a fetch() call (spec B) and returns its requests
// normalised; it cleans o.Destination.
func validateFetch(o *model.FetchRequest) ([]model.Request, error) {
	if err := ValidateID(o.ID); err != nil {
		return nil, err
	}
	if len(o.Requests) == 0 {
		return nil, model.TypeErrorf("the request list is empty")
	}
	if len(o.Requests) > model.MaxRequests {
		return nil, model.TypeErrorf("%d requests; the limit is %d", len(o.Requests), model.MaxRequests)
	}
	if err := validateOptions(o); err != nil {
		return nil, err
	}
	reqs := make([]model.Request, len(o.Requests))
	for i, r := range o.Requests {
		nr, err := normalizeRequest(i, r)
		if err != nil {
			return nil, err
		}
		reqs[i] = nr
	}
	return reqs, nil
}

func validateOptions(o *model.FetchRequest) error {
	if err := validateControl(model.RegistrationPatch{Priority: ptrIfSet(o.Priority), MaxBytesPerSecond: &o.MaxBytesPerSecond,
		Connections: &o.Connections, Metered: ptrIfSet(o.Metered)}); err != nil {
		return err
	}
	if o.Handler != nil {
		if err := ValidateHandler(*o.Handler); err != nil {
			return err
		}
	}
	if len(o.Title) > model.MaxTitleBytes {
		return model.TypeErrorf("the title is longer than %d bytes", model.MaxTitleBytes)
	}
	if len(o.Icons) > model.MaxIcons {
		return model.TypeErrorf("more than %d icons", model.MaxIcons)
	}
	for _, ic := range o.Icons {
		if _, err := ValidateURL(ic.Src); err != nil {
			return model.TypeErrorf("icon: %s", err.(*model.Error).Message)
		}
	}
	if o.DownloadTotal < 0 {
		return model.TypeErrorf("downloadTotal must not be negative")
	}
	if o.Destination != "" {
		if len(o.Destination) > model.MaxPathBytes || strings.IndexByte(o.Destination, 0) >= 0 {
			return model.TypeErrorf("destination: a path of at most %d bytes without NUL is required", model.MaxPathBytes)
		}
		if !filepath.IsAbs(o.Destination) {
			return model.TypeErrorf("destination %q must be an absolute path", o.Destination)
		}
		o.Destination = filepath.Clean(o.Destination)
	}
	return nil
}

// ValidateHandler checks a handler as HandlerSpec.Validate does, and that
// a command's program exists and may be run here: one that cannot be
// started would be retried for ever.
func ValidateHandler(h model.HandlerSpec) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if len(h.Command) == 0 {
		return nil
	}
	if _, err := exec.LookPath(h.Command[0]); err != nil {
		return model.TypeErrorf("handler: command[0] %q cannot be run: %v", h.Command[0], errors.Unwrap(err))
	}
	return nil
}

// validateUpdateUI checks an updateUI answer (spec C.21).
func validateUpdateUI(u model.UpdateUI) error {
	if u.Title != nil && len(*u.Title) > model.MaxTitleBytes {
		return model.TypeErrorf("the title is longer than %d bytes", model.MaxTitleBytes)
	}
	if len(u.Icons) > model.MaxIcons {
		return model.TypeErrorf("%d icons; the limit is %d", len(u.Icons), model.MaxIcons)
	}
	for _, ic := range u.Icons {
		if _, err := ValidateURL(ic.Src); err != nil {
			return err
		}
	}
	return nil
}

// validateControl checks the transfer-control fields of a fetch or a
// PATCH; the error names the field.
func validateControl(p model.RegistrationPatch) error {
	switch {
	case p.Priority != nil && p.Priority.Rank() < 0:
		return model.TypeErrorf(`priority must be "high", "normal" or "low", not %q`, *p.Priority)
	case p.MaxBytesPerSecond != nil && *p.MaxBytesPerSecond < 0:
		return model.TypeErrorf("maxBytesPerSecond must be 0 (no limit) or more, not %d", *p.MaxBytesPerSecond)
	case p.Connections != nil && (*p.Connections < 0 || *p.Connections > model.MaxConnectionsPerFile):
		return model.TypeErrorf("connections must be 0 (automatic) to %d, not %d", model.MaxConnectionsPerFile, *p.Connections)
	case p.Metered != nil && *p.Metered != model.MeteredAllow && *p.Metered != model.MeteredWait:
		return model.TypeErrorf(`metered must be "allow" or "wait", not %q`, *p.Metered)
	}
	return nil
}

// ptrIfSet is &v, or nil for the zero value (a field left out).
func ptrIfSet[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
