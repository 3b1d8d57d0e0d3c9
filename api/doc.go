// Package api is bgfetch's local HTTP+JSON API (the contract of api.md):
// the server that client applications, the CLI and the Go client talk to,
// the guard that keeps web pages out (bearer token, no Origin, loopback
// Host only), the Server-Sent Events stream, and the handler dispatcher
// that wakes client apps with durable events (the service-worker part of
// the Background Fetch API). StartDaemon wires it all to a store and a
// downloads.Manager; the headless CLI and the desktop app both use it.
//
// It validates only the HTTP/JSON layer (shapes, types, sizes) and maps
// the engine's *downloads.Error to status codes: the Background Fetch
// semantics (ids, URLs, quotas) belong to package downloads. It never
// touches Badger; persistence is imported only to open the store.
package api
