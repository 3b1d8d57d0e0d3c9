package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bgfetch/bgfetch/downloads"
)

// MaxBodyBytes caps the body of POST /v1/fetches (uploads travel inside it,
// base64-encoded). Larger bodies get 413.
const MaxBodyBytes = 64 << 20

// FetchBody is a decoded POST /v1/fetches body, ready for Manager.Fetch.
type FetchBody struct {
	ID       string
	Requests []downloads.Request
	Options  downloads.FetchOptions
}

// fetchBodyJSON is the wire shape of api.md; requests is decoded by hand
// because it may be a string, or a list of strings and objects.
type fetchBodyJSON struct {
	ID            string           `json:"id"`
	Requests      json.RawMessage  `json:"requests"`
	Title         string           `json:"title"`
	Icons         []downloads.Icon `json:"icons"`
	DownloadTotal int64            `json:"downloadTotal"`
	Destination   string           `json:"destination"`
	Handler       json.RawMessage  `json:"handler"`
}

// requestJSON is one request given as an object.
type requestJSON struct {
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Headers   map[string]string `json:"headers"`
	Body      *string           `json:"body"`
	Integrity string            `json:"integrity"`
}

// DecodeFetchBody reads a POST /v1/fetches body. It checks the JSON layer
// only: syntax, unknown fields, types, base64 bodies, the handler object
// and the request count. Everything about fetch() itself (ids, URLs,
// quotas) is Manager.Fetch's. Errors are TypeErrors, except a body over
// the reader's limit, which stays an *http.MaxBytesError (413).
func DecodeFetchBody(r io.Reader) (FetchBody, error) {
	var raw fetchBodyJSON
	if err := decodeStrict(r, &raw); err != nil {
		return FetchBody{}, err
	}
	reqs, err := decodeRequests(raw.Requests)
	if err != nil {
		return FetchBody{}, err
	}
	body := FetchBody{
		ID:       raw.ID,
		Requests: reqs,
		Options: downloads.FetchOptions{
			Title:         raw.Title,
			Icons:         raw.Icons,
			DownloadTotal: raw.DownloadTotal,
			Destination:   raw.Destination,
		},
	}
	if len(raw.Handler) > 0 && !bytes.Equal(bytes.TrimSpace(raw.Handler), []byte("null")) {
		spec, err := ParseHandlerSpec(raw.Handler)
		if err != nil {
			return FetchBody{}, err
		}
		body.Options.Handler = handlerJSON(spec)
	}
	return body, nil
}

func decodeRequests(raw json.RawMessage) ([]downloads.Request, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil // Manager.Fetch rejects the empty list (spec B.9)
	}
	switch raw[0] {
	case '"':
		r, err := decodeRequest(raw, 0)
		if err != nil {
			return nil, err
		}
		return []downloads.Request{r}, nil
	case '[':
	default:
		return nil, typeError("requests must be a URL string or a list of URL strings and request objects")
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, jsonTypeError(err)
	}
	if len(items) > downloads.MaxRequests {
		return nil, typeError(fmt.Sprintf("%d requests in one fetch; the limit is %d", len(items), downloads.MaxRequests))
	}
	reqs := make([]downloads.Request, 0, len(items))
	for i, item := range items {
		r, err := decodeRequest(item, i)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, r)
	}
	return reqs, nil
}

func decodeRequest(raw json.RawMessage, index int) (downloads.Request, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var u string
		if err := json.Unmarshal(raw, &u); err != nil {
			return downloads.Request{}, jsonTypeError(err)
		}
		return downloads.Request{URL: u, Method: http.MethodGet}, nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return downloads.Request{}, typeError(fmt.Sprintf("requests[%d] must be a URL string or a request object", index))
	}
	var rj requestJSON
	if err := decodeStrict(bytes.NewReader(raw), &rj); err != nil {
		return downloads.Request{}, typeError(fmt.Sprintf("requests[%d]: %s", index, errorMessage(err)))
	}
	req := downloads.Request{
		URL:       rj.URL,
		Method:    strings.ToUpper(rj.Method),
		Headers:   rj.Headers,
		Integrity: rj.Integrity,
	}
	if req.Method == "" {
		req.Method = http.MethodGet
	}
	if rj.Body != nil {
		b, err := base64.StdEncoding.DecodeString(*rj.Body)
		if err != nil {
			return downloads.Request{}, typeError(fmt.Sprintf("requests[%d]: body must be standard base64", index))
		}
		req.Body = b
	}
	return req, nil
}

// decodeStrict decodes exactly one JSON value with no unknown fields.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonTypeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return typeError("the body holds more than one JSON value")
	}
	return nil
}

// jsonTypeError turns a decoding error into a TypeError that says where
// the body went wrong, keeping a size-limit error as it is.
func jsonTypeError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return err
	}
	var de *downloads.Error
	if errors.As(err, &de) {
		return err
	}
	return typeError(errorMessage(err))
}

func errorMessage(err error) string {
	var de *downloads.Error
	if errors.As(err, &de) {
		return de.Message
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
	case errors.Is(err, io.EOF):
		return "the body is empty; a JSON object is required"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON body ends too early"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ") + " (fields are case-sensitive; see api.md)"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
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
	case strings.HasPrefix(goType, "map["):
		return "an object"
	}
	return "an object"
}
