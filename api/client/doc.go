// Package client is the Go client of bgfetch's local API (api.md): every
// call, errors that carry the spec's exception name and the HTTP
// status, and events as a channel that reconnects with Last-Event-ID so
// that no durable event is missed.
//
// New finds a running daemon through its data directory (the endpoint and
// token files). When none answers, calls fail with an error matching
// ErrNotRunning. Errors are *model.Error; the shapes are those of package
// downloads/model (standard library only), so the client links nothing of
// the engine.
package client
