package model

import (
	"encoding/base64"
	"strings"
	"testing"
)

// Member names are case-sensitive (api.md): encoding/json alone lets
// {"id":"lower","ID":"UPPER"} register "UPPER" (issue 14).
func TestMemberNamesAreCaseSensitive(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"id":"lower","ID":"UPPER","requests":"http://h/x"}`,
		`{"ID":"UPPER","requests":"http://h/x"}`,
		`{"id":"a","Requests":"http://h/x"}`,
		`{"id":"a","requests":[{"URL":"http://h/x"}]}`,
		`{"id":"a","requests":"http://h/x","handler":{"Command":["/bin/true"]}}`,
		`{"id":"a","requests":"http://h/x","icons":[{"SRC":"http://h/i.png"}]}`,
	} {
		_, err := DecodeFetchRequest(strings.NewReader(body))
		if NameOf(err) != TypeError || !strings.Contains(err.Error(), "case-sensitive") {
			t.Errorf("%s: err = %v, want a TypeError about case", body, err)
		}
	}
	f, err := DecodeFetchRequest(strings.NewReader(`{"id":"a","requests":[{"url":"http://h/x","headers":{"AUTHORIZATION":"x"}}]}`))
	if err != nil || f.Requests[0].Headers["AUTHORIZATION"] != "x" {
		t.Fatalf("header names are data, any case: %+v %v", f, err)
	}
	var a HandlerAnswer
	if err := DecodeStrictBytes([]byte(`{"UpdateUI":{"title":"t"}}`), &a); NameOf(err) != TypeError {
		t.Fatalf("handled body: %v", err)
	}
}

// encoding/json turns invalid UTF-8 and lone surrogates into U+FFFD, so
// two different ids became one (issue 14): such a body is a TypeError
// naming the field.
func TestInvalidUTF8IsATypeErrorNamingTheField(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"{\"id\":\"utf\xff8\",\"requests\":\"http://h/x\"}":                     "id",
		"{\"id\":\"a\",\"requests\":[{\"url\":\"http://h/\xfe\"}]}":             "url",
		"{\"id\":\"a\",\"requests\":\"http://h/\xc0\"}":                         "requests",
		"{\"id\":\"a\",\"title\":\"\xed\xa0\x80\",\"requests\":\"http://h/x\"}": "title",
		`{"id":"a\ud800","requests":"http://h/x"}`:                              "id",
		`{"id":"a\udc00b","requests":"http://h/x"}`:                             "id",
		"{\"id\":\"a\",\"requests\":\"http://h/x\",\"ti\xfftle\":\"t\"}":        "the body",
	}
	for body, field := range cases {
		_, err := DecodeFetchRequest(strings.NewReader(body))
		if NameOf(err) != TypeError || !strings.Contains(err.Error(), field) {
			t.Errorf("%q: err = %v, want a TypeError naming %s", body, err, field)
		}
	}
	f, err := DecodeFetchRequest(strings.NewReader(`{"id":"\ud83d\ude00 ok \u00e9","requests":"http://h/x"}`))
	if err != nil || f.ID != "😀 ok é" {
		t.Fatalf("a surrogate pair and plain escapes are fine: %q %v", f.ID, err)
	}
}

// An upload body longer than MaxUploadBytes is refused from its base64
// length, before it is decoded.
func TestUploadLargerThanTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	body := func(n int) string {
		return `{"id":"a","requests":[{"url":"http://h/x","method":"POST","body":"` +
			base64.StdEncoding.EncodeToString(make([]byte, n)) + `"}]}`
	}
	if _, err := DecodeFetchRequest(strings.NewReader(body(MaxUploadBytes))); err != nil {
		t.Fatalf("an upload of MaxUploadBytes: %v", err)
	}
	_, err := DecodeFetchRequest(strings.NewReader(body(MaxUploadBytes + 3)))
	if NameOf(err) != TypeError || !strings.Contains(err.Error(), "body") {
		t.Fatalf("err = %v, want a TypeError about the body", err)
	}
}

// What the checks must not change: errors of encoding/json keep their
// words, and more than one value is still refused.
func TestStrictDecodingKeepsTheOtherErrors(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"id":"a","requests":"http://h/x"} {}`:    "more than one JSON value",
		`{"id":5,"requests":"http://h/x"}`:         "id must be a string",
		`{"id":"a","requests":"http://h/x"`:        "", // malformed
		`{"id":"a","requests":"http://h/x","x":1}`: `unknown field "x"`,
		``: "empty",
		`{"id":"a","requests":[{"url":"u","body":"!"}]}`: "base64",
	} {
		_, err := DecodeFetchRequest(strings.NewReader(body))
		if NameOf(err) != TypeError || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want a TypeError with %q", body, err, want)
		}
	}
}
