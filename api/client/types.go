package client

import "github.com/bgfetch/bgfetch/api/wire"

// The API's objects (api.md), from api/wire: the client links nothing of
// the engine.
type (
	Registration = wire.Registration
	Record       = wire.Record
	Request      = wire.Request
	Response     = wire.Response
	Icon         = wire.Icon
	MatchQuery   = wire.MatchQuery
	EventType    = wire.EventType
	Handler      = wire.HandlerSpec
	Status       = wire.StatusInfo
	// Event is one event of GET /v1/events; Seq is the SSE id of a
	// durable event (0 for progress).
	Event = wire.Event
)

// Event types (api.md "Events").
const (
	EventProgress = wire.EventProgress
	EventSuccess  = wire.EventSuccess
	EventFail     = wire.EventFail
	EventAbort    = wire.EventAbort
	EventClick    = wire.EventClick
)

// FetchRequest is the body of POST /v1/fetches.
type FetchRequest struct {
	ID            string    `json:"id"`
	Requests      []Request `json:"requests"`
	Title         string    `json:"title,omitempty"`
	Icons         []Icon    `json:"icons,omitempty"`
	DownloadTotal int64     `json:"downloadTotal,omitempty"`
	Destination   string    `json:"destination,omitempty"`
	Handler       *Handler  `json:"handler,omitempty"`
}

// GetRequests is a convenience: one GET request per URL.
func GetRequests(urls ...string) []Request {
	reqs := make([]Request, len(urls))
	for i, u := range urls {
		reqs[i] = Request{URL: u, Method: "GET"}
	}
	return reqs
}
