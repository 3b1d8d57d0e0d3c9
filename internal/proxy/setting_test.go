package proxy

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/downloads/model"
)

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"system", "none", "http://proxy:3128", "http://proxy", "http://proxy:3128/",
		"https://u:p@proxy.example:443", "socks5://127.0.0.1:1080", "socks5h://user:pa%40ss@[::1]:1080",
		"HTTP://Proxy:8080", "http://user@proxy:1"} {
		if err := Validate(s); err != nil {
			t.Errorf("Validate(%q) = %v, want nil", s, err)
		}
	}
}

// Each bad setting: a TypeError that names the field and the value, with
// any credentials hidden.
func TestValidateRejects(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                   `is not "system", "none" or a proxy URL`,
		"System":                             `is not "system"`,
		" none":                              `is not "system"`,
		"proxy:3128":                         `is not "system"`,
		"ftp://proxy:21":                     `scheme "ftp"`,
		"socks4://proxy:1080":                `scheme "socks4"`,
		"http://":                            "has no host",
		"http://:3128":                       "has no host",
		"http://u:secret@":                   "has no host",
		"http://proxy:0":                     "port 0",
		"http://proxy:65536":                 "port 65536",
		"http://proxy:":                      "empty port",
		"http://proxy:abc":                   "is not",
		"http://proxy:3128/path":             "has a path",
		"http://proxy:3128?x=1":              "has a path, query",
		"http://proxy:3128#frag":             "fragment",
		"http://pro xy:3128":                 "is not",
		"socks5://u:secret@proxy:1080/x":     "has a path",
		"http://u:secret@proxy:3128/private": "has a path",
	}
	for in, want := range cases {
		err := Validate(in)
		e := model.AsError(err)
		if e == nil || e.Name != model.TypeError {
			t.Errorf("Validate(%q) = %v, want a TypeError", in, err)
			continue
		}
		if !strings.HasPrefix(e.Message, "proxy: ") || !strings.Contains(e.Message, want) {
			t.Errorf("Validate(%q) = %q, want it to name the field and say %q", in, e.Message, want)
		}
		if strings.Contains(e.Message, "secret") {
			t.Errorf("Validate(%q) leaks the password: %q", in, e.Message)
		}
		if !strings.Contains(e.Message, strings.ReplaceAll(Redact(in), `"`, `\"`)) {
			t.Errorf("Validate(%q) = %q does not name the value", in, e.Message)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"system":                            "system",
		"http://proxy:3128":                 "http://proxy:3128",
		"http://alice:s3cret@proxy:3128":    "http://***@proxy:3128",
		"socks5h://alice@[::1]:1080":        "socks5h://***@[::1]:1080",
		"http://a:p@ss/w@rd@proxy:1":        "http://***@proxy:1",
		"https://u:p%40ss@proxy/":           "https://***@proxy/",
		"alice:s3cret@proxy":                "***@proxy",
		"ftp://x:y@host":                    "ftp://***@host",
		"socks5://user:pw@127.0.0.1:1080/x": "socks5://***@127.0.0.1:1080/x",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// A bad setting leaves the transport as it was.
func TestConfigureBadSettingChangesNothing(t *testing.T) {
	t.Parallel()
	sentinel, _ := url.Parse("http://sentinel:1")
	tr := &http.Transport{Proxy: http.ProxyURL(sentinel)}
	for _, s := range []string{"ftp://x", "socks5://", "nonsense"} {
		if err := Configure(tr, s, nil); model.NameOf(err) != model.TypeError {
			t.Fatalf("Configure(%q) = %v, want a TypeError", s, err)
		}
	}
	req, _ := http.NewRequest("GET", "http://example.org/", nil)
	if u, _ := tr.Proxy(req); u == nil || u.Host != "sentinel:1" || tr.DialContext != nil {
		t.Fatalf("the transport changed: proxy %v", u)
	}
}

// "none" is direct even when the environment names a proxy; an explicit
// URL is used for every target.
func TestConfigureProxyFunc(t *testing.T) {
	t.Setenv("HTTP_PROXY", "http://env-proxy:1")
	req, _ := http.NewRequest("GET", "http://127.0.0.1:9/", nil)
	for setting, want := range map[string]string{"none": "", "http://p:3128": "p:3128", "socks5h://s:1080": "s:1080"} {
		tr := &http.Transport{}
		if err := Configure(tr, setting, nil); err != nil {
			t.Fatal(err)
		}
		got := ""
		if tr.Proxy != nil {
			u, _ := tr.Proxy(req)
			if u != nil {
				got = u.Host
			}
		}
		if got != want {
			t.Errorf("%s: proxy %q, want %q", setting, got, want)
		}
	}
}
