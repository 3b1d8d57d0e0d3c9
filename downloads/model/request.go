package model

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// Request is one request of a fetch as the client gave it.
type Request struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	// Body is the upload body of a POST/PUT (base64 in JSON). It is not
	// echoed in records.
	Body []byte `json:"body,omitempty"`
	// Integrity is an optional "sha256-<base64>" digest of the response body.
	Integrity string `json:"integrity,omitempty"`
}

// GetRequests is one GET request per URL.
func GetRequests(urls ...string) Requests {
	reqs := make(Requests, len(urls))
	for i, u := range urls {
		reqs[i] = Request{URL: u, Method: "GET"}
	}
	return reqs
}

// FetchRequest is the body of POST /v1/fetches: fetch(id, requests,
// options) plus bgfetch's options (api.md).
type FetchRequest struct {
	ID            string       `json:"id"`
	Requests      Requests     `json:"requests"`
	Title         string       `json:"title,omitempty"`
	Icons         []Icon       `json:"icons,omitempty"`
	DownloadTotal int64        `json:"downloadTotal,omitempty"`
	Destination   string       `json:"destination,omitempty"`
	Handler       *HandlerSpec `json:"handler,omitempty"`

	// Transfer control (api.md, second round); zero values: the defaults.
	Priority          Priority      `json:"priority,omitempty"`
	MaxBytesPerSecond int64         `json:"maxBytesPerSecond,omitempty"`
	Connections       int           `json:"connections,omitempty"`
	Metered           MeteredPolicy `json:"metered,omitempty"`
}

// Requests is the request list of a fetch. In JSON it may also be a single
// URL string, and each item a URL string or a request object.
type Requests []Request

// UnmarshalJSON accepts a URL string, or a list of URL strings and request
// objects (with no unknown fields).
func (rs *Requests) UnmarshalJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	switch {
	case bytes.Equal(raw, []byte("null")):
		*rs = nil // fetch() rejects the empty list (spec B.9)
		return nil
	case len(raw) > 0 && raw[0] == '"':
		r, err := decodeRequest(raw, 0)
		if err != nil {
			return err
		}
		*rs = Requests{r}
		return nil
	case len(raw) == 0 || raw[0] != '[':
		return TypeErrorf("requests must be a URL string or a list of URL strings and request objects")
	}
	items, err := splitArray(raw)
	if err != nil {
		return err
	}
	if len(items) > MaxRequests {
		return TypeErrorf("%d requests in one fetch; the limit is %d", len(items), MaxRequests)
	}
	out := make(Requests, 0, len(items))
	for i, item := range items {
		r, err := decodeRequest(item, i)
		if err != nil {
			return err
		}
		out = append(out, r)
	}
	*rs = out
	return nil
}

// splitArray returns the items of a JSON array (already checked by
// checkStrict) as slices of raw, without copying them.
func splitArray(raw []byte) ([][]byte, error) {
	s := &strictScanner{data: raw, maxBase64: int(^uint(0) >> 1)}
	s.space()
	if s.pos >= len(raw) || raw[s.pos] != '[' {
		return nil, TypeErrorf("requests must be a list")
	}
	s.pos++
	var items [][]byte
	for {
		s.space()
		if s.pos < len(raw) && raw[s.pos] == ']' && len(items) == 0 {
			return items, nil
		}
		start := s.pos
		if err := s.value(nil, "requests"); err != nil {
			return nil, jsonTypeError(err)
		}
		items = append(items, raw[start:s.pos])
		s.space()
		if s.pos >= len(raw) {
			return nil, TypeErrorf("the requests list ends too early")
		}
		switch raw[s.pos] {
		case ',':
			s.pos++
		case ']':
			return items, nil
		default:
			return nil, TypeErrorf("malformed requests list at byte %d", s.pos)
		}
	}
}

func decodeRequest(raw []byte, index int) (Request, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var u string
		if err := json.Unmarshal(raw, &u); err != nil {
			return Request{}, jsonTypeError(err)
		}
		return Request{URL: u, Method: "GET"}, nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return Request{}, TypeErrorf("requests[%d] must be a URL string or a request object", index)
	}
	var r Request
	if err := DecodeStrictBytes(raw, &r); err != nil {
		return Request{}, TypeErrorf("requests[%d]: %s", index, messageOf(err))
	}
	return r, nil
}

// DecodeFetchRequest reads a POST /v1/fetches body. It checks the JSON
// layer only: syntax, unknown fields, types, base64 bodies and the request
// count; everything about fetch() itself (ids, URLs, quotas, the handler)
// is the engine's. Errors are TypeErrors, except a read error of r (such
// as a size limit), which is returned as it is.
func DecodeFetchRequest(r io.Reader) (FetchRequest, error) {
	var f FetchRequest
	err := DecodeStrict(r, &f)
	return f, err
}

// DecodeStrict decodes exactly one JSON value into v: member names must
// equal a field's name exactly (no unknown fields, no other case), every
// string must be valid UTF-8, and an upload body may not be longer than
// MaxUploadBytes. Errors are TypeErrors that say where the body went
// wrong, except read errors of r, which are returned as they are.
func DecodeStrict(r io.Reader, v any) error {
	cr := &readErrors{r: r}
	data, err := io.ReadAll(cr)
	if cr.err != nil {
		return cr.err
	}
	if err != nil {
		return err
	}
	return DecodeStrictBytes(data, v)
}

// DecodeStrictBytes is DecodeStrict of a body already read. The values
// decoded do not share memory with data, except raw JSON values.
func DecodeStrictBytes(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return TypeErrorf("the body is empty; a JSON object is required")
	}
	err := checkStrict(data, reflect.TypeOf(v))
	if err != nil && !errors.Is(err, errSyntax) {
		return err
	}
	// encoding/json decodes what passed, and says what is malformed.
	if uerr := json.Unmarshal(data, v); uerr != nil {
		return jsonTypeError(uerr)
	}
	if err != nil {
		return TypeErrorf("malformed JSON")
	}
	return nil
}

// readErrors remembers the first read error of r other than io.EOF, so
// that a size limit is not mistaken for malformed JSON.
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && err != io.EOF && e.err == nil {
		e.err = err
	}
	return n, err
}

// jsonTypeError turns a decoding error into a TypeError, keeping one that
// already is an *Error.
func jsonTypeError(err error) error {
	if e := AsError(err); e != nil {
		return e
	}
	return TypeErrorf("%s", messageOf(err))
}

// messageOf says in words what a decoding error means.
func messageOf(err error) string {
	if e := AsError(err); e != nil {
		return e.Message
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Sprintf("%s must be %s, not a JSON %s", field, typeName(typeErr.Type.String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("malformed JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.As(err, new(base64.CorruptInputError)):
		return "body must be standard base64"
	case err == io.EOF:
		return "the body is empty; a JSON object is required"
	case err == io.ErrUnexpectedEOF:
		return "the JSON body ends too early"
	}
	msg := err.Error()
	if rest, ok := strings.CutPrefix(msg, "json: unknown field"); ok {
		return "unknown field" + rest + " (fields are case-sensitive; see api.md)"
	}
	if rest, ok := strings.CutPrefix(msg, "json: "); ok {
		return rest
	}
	return msg
}

func typeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	}
	return "an object"
}
