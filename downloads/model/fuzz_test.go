package model

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
)

// FuzzDecodeFetchRequest: the decoder never panics, and what it accepts is
// well-formed: at most MaxRequests requests, each a URL or an object, and
// any error is a TypeError. Seeds: testdata/fuzz/FuzzDecodeFetchRequest.
func FuzzDecodeFetchRequest(f *testing.F) {
	for _, s := range []string{
		`{"id":"ep-5","requests":"https://host/ep-5.mp3"}`,
		`{"id":"ep-5","requests":["https://host/a",{"url":"https://host/b","method":"POST","body":"aGk=","headers":{"A":"b"},"integrity":"sha256-x"}],"title":"T","icons":[{"src":"https://h/i.png","sizes":"1x1","type":"image/png"}],"downloadTotal":5,"destination":"/tmp","handler":{"command":["x"]}}`,
		`{"id":"x","requests":[],"handler":{"url":"http://127.0.0.1:1/h"}}`,
		`{"requests":[1]}`, `[]`, `null`, `{"id":"x","requests":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := DecodeFetchRequest(bytes.NewReader(data))
		if err != nil {
			if NameOf(err) != TypeError {
				t.Fatalf("error without the spec's name: %v", err)
			}
			return
		}
		if len(body.Requests) > MaxRequests {
			t.Fatalf("%d requests accepted", len(body.Requests))
		}
		for i, r := range body.Requests {
			if r.Method != "" && strings.TrimSpace(r.Method) == "" {
				t.Fatalf("request %d has method %q", i, r.Method)
			}
		}
	})
}

// FuzzParseHandlerSpec: an accepted webhook is always loopback, an
// accepted command names a program.
func FuzzParseHandlerSpec(f *testing.F) {
	for _, s := range []string{`{"url":"http://127.0.0.1:8/x"}`, `{"url":"http://[::1]/"}`, `{"command":["a","b"]}`, `{"url":"http://localhost@evil.example/"}`, `{"url":"http://127.0.0.1.evil.example/"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := ParseHandlerSpec(data)
		if err != nil {
			if NameOf(err) != TypeError {
				t.Fatalf("error without the spec's name: %v", err)
			}
			return
		}
		if spec.URL != "" {
			u, err := url.Parse(spec.URL)
			if err != nil || u.User != nil || !IsLoopbackName(u.Hostname()) {
				t.Fatalf("accepted %s", spec.URL)
			}
		} else if len(spec.Command) == 0 || spec.Command[0] == "" {
			t.Fatalf("accepted empty command %q", data)
		}
	})
}
