// Package server is bgfetch's local HTTP+JSON API (api.md) over an
// Engine: the routes, the guard that keeps web pages out (bearer token, no
// Origin, loopback Host only), the Server-Sent Events stream and the live
// handlers' acknowledgements. It checks only the HTTP layer and maps the
// engine's *model.Error to status codes; the Background Fetch semantics
// belong to package downloads.
package server
