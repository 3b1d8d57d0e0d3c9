// Package model holds the shapes every part of bgfetch shares: the
// registration, record and event of the Background Fetch API, the body of
// fetch(), handler specs, failure reasons, the spec's error names and the
// one error type, and the API's small answer objects (api.md).
//
// The engine (package downloads) owns it; the API, the clients, the CLI and
// the UI import it downward. It imports only the standard library and holds
// no behaviour beyond decoding and checking these shapes.
package model
