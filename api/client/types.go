package client

import (
	"github.com/bgfetch/bgfetch/api"
	"github.com/bgfetch/bgfetch/downloads"
)

// The API's objects (api.md), shared with the engine.
type (
	Registration = downloads.Registration
	Record       = downloads.Record
	Request      = downloads.Request
	Response     = downloads.Response
	Icon         = downloads.Icon
	MatchQuery   = downloads.MatchQuery
	EventType    = downloads.EventType
	Handler      = api.HandlerSpec
	Status       = api.StatusInfo
)

// Event types (api.md "Events").
const (
	EventProgress = downloads.EventProgress
	EventSuccess  = downloads.EventSuccess
	EventFail     = downloads.EventFail
	EventAbort    = downloads.EventAbort
	EventClick    = downloads.EventClick
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

// Event is one event of GET /v1/events. Seq is the SSE id of a durable
// event (0 for progress).
type Event struct {
	downloads.Event
	Seq uint64 `json:"-"`
}
