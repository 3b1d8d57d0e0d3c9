package model

import (
	"encoding/base64"
	"reflect"
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
	// Each request object is checked as it is decoded (decodeRequest).
	body := func(n int) []byte {
		return []byte(`{"url":"http://h/x","method":"POST","body":"` + strings.Repeat("A", base64.StdEncoding.EncodedLen(n)) + `"}`)
	}
	var r Request
	const limit = 1000 // the check is the same at MaxUploadBytes, 64 MiB of text
	if err := checkStrictUpTo(body(limit), reflect.TypeOf(&r), limit); err != nil {
		t.Fatalf("an upload at the limit: %v", err)
	}
	err := checkStrictUpTo(body(limit+3), reflect.TypeOf(&r), limit)
	if NameOf(err) != TypeError || !strings.Contains(err.Error(), "body is larger") {
		t.Fatalf("err = %v, want a TypeError about the body", err)
	}
	var f FetchRequest
	small := `{"id":"a","requests":[{"url":"http://h/x","method":"POST","body":"aGVsbG8="}]}`
	if err := DecodeStrictBytes([]byte(small), &f); err != nil || string(f.Requests[0].Body) != "hello" {
		t.Fatalf("a small upload: %q %v", f.Requests, err)
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
