package server

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/enginetest"
)

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// apiServer is the API over a real engine, on a real loopback listener.
type apiServer struct {
	*enginetest.Engine
	manager *downloads.Manager
	srv     *httptest.Server
}

func newAPIServer(t testing.TB) *apiServer {
	return newAPIServerWith(t, func(*Server) {})
}

// newAPIServerWith is newAPIServer with setup run on the Server before it
// serves.
func newAPIServerWith(t testing.TB, setup func(*Server)) *apiServer {
	t.Helper()
	e := enginetest.New(t)
	s := New(e.Manager, testToken, enginetest.Logger())
	setup(s)
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &apiServer{Engine: e, manager: e.Manager, srv: srv}
}

// call sends an authorised request and returns status and body.
func (a *apiServer) call(t testing.TB, method, path string, body any, hdr ...string) (int, []byte) {
	t.Helper()
	resp := a.do(t, method, path, body, hdr...)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func (a *apiServer) do(t testing.TB, method, path string, body any, hdr ...string) *http.Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// errorName decodes an error body's name ("" when it is not one).
func errorName(b []byte) model.ErrorName {
	var eb model.ErrorBody
	json.Unmarshal(b, &eb)
	return eb.Error.Name
}

func decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, b, err)
	}
	return v
}
