package server

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/bgfetch/bgfetch/downloads"
	"github.com/bgfetch/bgfetch/downloads/model"
)

type appKey struct{}

// appOf returns the app scope the guard put in the request's context.
func appOf(r *http.Request) string {
	if app, ok := r.Context().Value(appKey{}).(string); ok {
		return app
	}
	return model.DefaultApp
}

// guard refuses what a web page could send (403 for an Origin header or a
// Host that is not loopback, DNS rebinding included), then anything
// without the token (401), then a malformed app name (400). It runs before
// routing, so unknown paths are refused the same way.
func guard(token string, next http.Handler) http.Handler {
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.Header.Values("Origin")) > 0 {
			w.Header().Set("Connection", "close")
			writeErrorBody(w, http.StatusForbidden, model.SecurityError, "requests with an Origin header are refused: web pages may not drive bgfetch")
			return
		}
		if !isLoopbackHost(r.Host) {
			w.Header().Set("Connection", "close")
			writeErrorBody(w, http.StatusForbidden, model.SecurityError, "the Host header must name a loopback address (localhost, 127.0.0.1, ::1)")
			return
		}
		got, ok := bearerToken(r)
		if !ok || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			// A refused client keeps no connection (2,000 did after their
			// 401s, issue 14).
			w.Header().Set("Connection", "close")
			w.Header().Set("WWW-Authenticate", `Bearer realm="bgfetch"`)
			writeErrorBody(w, http.StatusUnauthorized, model.NotAllowedError, "a valid token is required: Authorization: Bearer <DATA_DIR/token>")
			return
		}
		markAuthenticated(r)
		app := r.Header.Get(model.AppHeader)
		if app == "" {
			app = model.DefaultApp
		}
		if err := downloads.ValidateApp(app); err != nil {
			w.Header().Set("Connection", "close")
			e := model.AsError(err)
			writeErrorBody(w, http.StatusBadRequest, e.Name, e.Message)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), appKey{}, app)))
	})
}

func bearerToken(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// isLoopbackHost accepts localhost, 127.0.0.0/8 and ::1, with or without a
// port. An absent Host (HTTP/1.0 over the socket) is no rebinding risk.
func isLoopbackHost(hostport string) bool {
	if hostport == "" {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return model.IsLoopbackName(host)
}
