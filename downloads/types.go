package downloads

import (
	"encoding/json"

	"github.com/bgfetch/bgfetch/api/wire"
)

// The public shapes of fetches live in api/wire, shared with the API
// server and the Go client; the engine names them here.
type (
	Icon          = wire.Icon
	Request       = wire.Request
	Result        = wire.Result
	FailureReason = wire.FailureReason
	State         = wire.State
	RecordState   = wire.RecordState
	Registration  = wire.Registration
	Response      = wire.Response
	Record        = wire.Record
	EventType     = wire.EventType
	Event         = wire.Event
	MatchQuery    = wire.MatchQuery
)

const (
	ResultPending = wire.ResultPending
	ResultSuccess = wire.ResultSuccess
	ResultFailure = wire.ResultFailure

	ReasonNone                  = wire.ReasonNone
	ReasonAborted               = wire.ReasonAborted
	ReasonBadStatus             = wire.ReasonBadStatus
	ReasonFetchError            = wire.ReasonFetchError
	ReasonQuotaExceeded         = wire.ReasonQuotaExceeded
	ReasonDownloadTotalExceeded = wire.ReasonDownloadTotalExceeded

	StateQueued         = wire.StateQueued
	StateRunning        = wire.StateRunning
	StatePaused         = wire.StatePaused
	StateWaitingNetwork = wire.StateWaitingNetwork
	StateSettled        = wire.StateSettled

	RecordPending = wire.RecordPending
	RecordRunning = wire.RecordRunning
	RecordSuccess = wire.RecordSuccess
	RecordFailed  = wire.RecordFailed
	RecordAborted = wire.RecordAborted

	EventProgress = wire.EventProgress
	EventSuccess  = wire.EventSuccess
	EventFail     = wire.EventFail
	EventAbort    = wire.EventAbort
	EventClick    = wire.EventClick
)

// FetchOptions are the options of fetch() plus bgfetch's additions.
type FetchOptions struct {
	Title         string
	Icons         []Icon
	DownloadTotal int64
	// Destination, when set, is the folder bodies are moved to on success.
	Destination string
	// Handler is the per-fetch handler document, kept opaque for the API
	// layer that delivers events.
	Handler json.RawMessage
}
