// Package wire holds the JSON shapes of bgfetch's local API (docs/API.md):
// registrations, records, events and the small answers of each endpoint.
//
// It is the vocabulary the engine (downloads), the server (api) and the
// Go client (api/client) share, and it imports only the standard library,
// so an app that talks to bgfetch through api/client links none of the
// engine, its store or its transfer code.
package wire
