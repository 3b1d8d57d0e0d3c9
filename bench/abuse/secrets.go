package main

import (
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// caseSecrets: a daemon with --verbose and proxy credentials in its
// environment gets fetches carrying Authorization and Cookie headers, a
// URL with credentials, a wrong token and a proxy setting with a
// password; then every daemon log of this run (all cases before) and
// every answer is searched for each secret and each daemon's token.
func caseSecrets(e *env) []row {
	const name = "secrets"
	d, err := e.start(name, []string{"--verbose"},
		"HTTPS_PROXY=http://abuse:"+secretProxy+"@127.0.0.1:1", "HTTP_PROXY=http://abuse:"+secretProxy+"@127.0.0.1:1")
	if err != nil {
		return failedRow(name, err)
	}
	var answers []string
	// Error answers only: a record's own request headers are the app's
	// data and are answered to it.
	keep := func(status int, b []byte, _ error) {
		if status >= 400 {
			answers = append(answers, string(b))
		}
	}
	hdrs := map[string]string{"Authorization": "Bearer " + secretBearer, "Cookie": "session=" + secretCookie,
		"Proxy-Authorization": "Basic " + secretBearer}
	for _, u := range []string{"https://bgfetch-abuse.invalid/file", e.fs.url + "/gen/secret?size=5000"} {
		reg, err := d.fetch(map[string]any{"id": "s-" + u, "requests": []any{map[string]any{"url": u, "headers": hdrs}}})
		if err == nil {
			time.Sleep(1500 * time.Millisecond)
			keep(d.call("POST", "/v1/registrations/"+reg.UID+"/abort", nil))
		}
	}
	keep(d.call("POST", "/v1/fetches", map[string]any{"id": "userinfo", "requests": "http://user:" + secretURL + "@127.0.0.1:9/x"}))
	keep(d.call("PUT", "/v1/handler", map[string]any{"url": "http://user:" + secretURL + "@127.0.0.1:9/hook"}))
	keep(d.call("PATCH", "/v1/settings", map[string]any{"proxy": "http://user:" + secretProxy + "@127.0.0.1:1"}))
	keep(d.call("GET", "/v1/status", nil, "Authorization", "Bearer "+secretBearer))
	d.stop()

	secrets := []string{secretBearer, secretCookie, secretProxy, secretURL}
	for _, dd := range e.logs {
		secrets = append(secrets, dd.token)
	}
	found := map[string]int{}
	lines := 0
	for _, dd := range e.logs {
		text := dd.logText()
		lines += strings.Count(text, "\n")
		for s, n := range leaks(text, secrets) {
			found[s] += n
		}
	}
	inAnswers := 0
	for _, a := range answers {
		for _, n := range leaks(a, secrets) {
			inAnswers += n
		}
	}
	total, which := 0, []string{}
	for s, n := range found {
		if n > 0 {
			total += n
			which = append(which, fmt.Sprintf("%s×%d", clip([]byte(s), 16), n))
		}
	}
	value := fmt.Sprintf("%d in %d lines of %d logs", total, lines, len(e.logs))
	if len(which) > 0 {
		value += " (" + strings.Join(which, ", ") + ")"
	}
	return []row{
		{key: name + "/logs", attack: name, measure: "secrets and tokens in every daemon log of the run", target: "0", value: value, ok: total == 0},
		{key: name + "/answers", attack: name, measure: "secrets in the API's error answers", target: "0",
			value: fmt.Sprintf("%d in %d error answers", inAnswers, len(answers)), ok: inAnswers == 0},
	}
}

// hexLine is one line of a hex dump (as Badger writes into its errors):
// offset, then up to 16 bytes in two groups.
var hexLine = regexp.MustCompile(`[0-9a-f]{8}  ((?:[0-9a-f]{2} ){1,8})(?: ((?:[0-9a-f]{2} ?){1,8}))?`)

// unhexdump decodes every hex dump in text into the bytes it shows, so
// that a secret split across dump lines is found too.
func unhexdump(text string) string {
	var b strings.Builder
	for _, m := range hexLine.FindAllStringSubmatch(text, -1) {
		for _, h := range strings.Fields(m[1] + " " + m[2]) {
			if v, err := hex.DecodeString(h); err == nil {
				b.Write(v)
			}
		}
	}
	return b.String()
}

// leaks counts the secrets in text, hex dumps included.
func leaks(text string, secrets []string) map[string]int {
	full := text + "\n" + unhexdump(text)
	found := map[string]int{}
	for _, s := range secrets {
		if n := strings.Count(full, s); n > 0 {
			found[s] = n
		}
	}
	return found
}
