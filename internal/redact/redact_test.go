package redact

import (
	"bytes"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestStringRemovesSecrets(t *testing.T) {
	t.Parallel()
	dump := "store the registration: Value with size 27962276 exceeded 16777216 limit. Value:\n" +
		hex.Dump([]byte(`{"index":0,"request":{"url":"http://h/x","headers":{"Authorization":"Bearer abuse-SECRET-123"}}}`))
	cases := []struct{ in, secret string }{
		{`Authorization: Bearer abuse-SECRET-123`, "abuse-SECRET-123"},
		{`{"headers":{"Authorization":"Bearer abuse-SECRET-123","Accept":"*/*"}}`, "abuse-SECRET-123"},
		{`err="request: {\"Authorization\":\"Bearer abuse-SECRET-123\"}"`, "abuse-SECRET-123"},
		{`map[Authorization:Bearer abuse-SECRET-123 Cookie:s=abuse-COOKIE-456]`, "abuse-SECRET-123"},
		{`map[Authorization:Bearer abuse-SECRET-123 Cookie:s=abuse-COOKIE-456]`, "abuse-COOKIE-456"},
		{"Cookie: session=abuse-COOKIE-456; theme=dark\r\n", "abuse-COOKIE-456"},
		{`set-cookie="id=abuse-COOKIE-456"`, "abuse-COOKIE-456"},
		{`Proxy-Authorization: Basic YWJ1c2U6YWJ1c2UtUFJPWFk=`, "YWJ1c2U6YWJ1c2UtUFJPWFk="},
		{`proxy http://abuse:abuse-PROXYPW-789@127.0.0.1:3128 refused`, "abuse-PROXYPW-789"},
		{`socks5h://u:p@ss:abuse-PROXYPW-789@proxy:1080/`, "abuse-PROXYPW-789"},
		{`Get "https://h/file?X-Amz-Signature=abuse-SIG-1&x=1": EOF`, "abuse-SIG-1"},
		{`https://h/f?access_token=abuse-TOKEN-2`, "abuse-TOKEN-2"},
		{dump, "SECRET"},
		{dump, "Bearer"},
	}
	for _, c := range cases {
		got := String(c.in)
		if strings.Contains(got, c.secret) {
			t.Errorf("String(%q) = %q: %q is still there", c.in, got, c.secret)
		}
		if !strings.Contains(got, Mark) && !strings.Contains(got, "[hex dump redacted]") {
			t.Errorf("String(%q) = %q: no mark of what was removed", c.in, got)
		}
	}
	if got := String(dump); !strings.HasPrefix(got, "store the registration: Value with size 27962276 exceeded 16777216 limit.") {
		t.Errorf("the reason around a hex dump is lost: %q", got)
	}
}

func TestStringKeepsOrdinaryText(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"fetch registered uid=r_1 app=default id=ep-5 requests=3",
		`Get "https://example.com/ep-5.mp3?page=2": dial tcp: connection refused`,
		"a token client on a new connection",
		"the destination is full: no space left on device",
		"cookies are not stored",
	} {
		if got := String(s); got != s {
			t.Errorf("String(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestRegisteredSecret(t *testing.T) {
	t.Parallel()
	tok := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	Secret(tok)
	Secret("short") // ignored: it would remove words
	if got := String("compare " + tok + " short"); strings.Contains(got, tok) || !strings.Contains(got, "short") {
		t.Fatalf("got %q", got)
	}
}

func TestHandlerCleansEveryAttribute(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log = log.With("proxy", "http://u:abuse-PROXYPW-789@p:8080")
	log.WithGroup("req").Debug("sending Authorization: Bearer abuse-SECRET-123",
		"err", errors.New(`Cookie: s=abuse-COOKIE-456`),
		"headers", map[string]string{"Authorization": "Basic abuse-SECRET-123"},
		slog.Group("g", "url", "https://x:abuse-URLPW-000@h/"),
		"n", 3)
	out := buf.String()
	for _, s := range []string{"abuse-PROXYPW-789", "abuse-SECRET-123", "abuse-COOKIE-456", "abuse-URLPW-000"} {
		if strings.Contains(out, s) {
			t.Errorf("%q in the log: %s", s, out)
		}
	}
	if !strings.Contains(out, "req.n=3") {
		t.Errorf("other attributes are lost: %s", out)
	}
}
