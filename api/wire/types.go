package wire

import (
	"encoding/json"
	"time"
)

// Headers and names of the API (api.md).
const (
	// AppHeader names the calling app; DefaultApp when absent.
	AppHeader  = "Bgfetch-App"
	DefaultApp = "default"
	// ResponseStatusHeader carries the stored response's own status on a
	// body answer (a 404 body is served with 200 and this header at 404).
	ResponseStatusHeader = "Bgfetch-Response-Status"
)

// Icon is one image offered for a fetch's UI (spec A.1).
type Icon struct {
	Src   string `json:"src"`
	Sizes string `json:"sizes,omitempty"`
	Type  string `json:"type,omitempty"`
}

// Request is one request of a fetch as the client gave it.
type Request struct {
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
	// Body is the upload body of a POST/PUT (base64 in JSON). It is not
	// echoed in records.
	Body []byte `json:"body,omitempty"`
	// Integrity is an optional "sha256-<base64>" digest of the response body.
	Integrity string `json:"integrity,omitempty"`
}

// Result of a registration (spec A.4).
type Result string

const (
	ResultPending Result = ""
	ResultSuccess Result = "success"
	ResultFailure Result = "failure"
)

// FailureReason of a registration (spec A.5).
type FailureReason string

const (
	ReasonNone                  FailureReason = ""
	ReasonAborted               FailureReason = "aborted"
	ReasonBadStatus             FailureReason = "bad-status"
	ReasonFetchError            FailureReason = "fetch-error"
	ReasonQuotaExceeded         FailureReason = "quota-exceeded"
	ReasonDownloadTotalExceeded FailureReason = "download-total-exceeded"
)

// State is bgfetch's own view of where a registration is.
type State string

const (
	StateQueued         State = "queued"
	StateRunning        State = "running"
	StatePaused         State = "paused"
	StateWaitingNetwork State = "waiting-network"
	StateSettled        State = "settled"
)

// RecordState is where one request of a fetch is.
type RecordState string

const (
	RecordPending RecordState = "pending"
	RecordRunning RecordState = "running"
	RecordSuccess RecordState = "success"
	RecordFailed  RecordState = "failed"
	RecordAborted RecordState = "aborted"
)

// Registration is the public shape of a background fetch (api.md).
type Registration struct {
	UID              string        `json:"uid"`
	App              string        `json:"app"`
	ID               string        `json:"id"`
	Title            string        `json:"title"`
	Icons            []Icon        `json:"icons"`
	UploadTotal      int64         `json:"uploadTotal"`
	Uploaded         int64         `json:"uploaded"`
	DownloadTotal    int64         `json:"downloadTotal"`
	Downloaded       int64         `json:"downloaded"`
	Result           Result        `json:"result"`
	FailureReason    FailureReason `json:"failureReason"`
	RecordsAvailable bool          `json:"recordsAvailable"`
	State            State         `json:"state"`
	CreatedAt        time.Time     `json:"createdAt"`
	SettledAt        *time.Time    `json:"settledAt"`

	// bgfetch's additions.

	// KnownTotal is the sum of the lengths the servers announced so far
	// (0 when none is known); UIs use it when DownloadTotal is 0.
	KnownTotal  int64           `json:"knownTotal"`
	Destination string          `json:"destination,omitempty"`
	Handler     json.RawMessage `json:"handler,omitempty"`
	// AllGET tells whether Pause/Resume is offered (spec D.26).
	AllGET bool `json:"allGet"`
}

// Active reports whether the registration has not settled yet.
func (r Registration) Active() bool { return r.Result == ResultPending }

// Response is what a record received.
type Response struct {
	Status     int               `json:"status"`
	StatusText string            `json:"statusText"`
	Headers    map[string]string `json:"headers"`
	Size       int64             `json:"size"`
	Path       string            `json:"path"`
}

// Record is one request and its response (api.md).
type Record struct {
	Index      int         `json:"index"`
	Request    Request     `json:"request"`
	State      RecordState `json:"state"`
	Downloaded int64       `json:"downloaded"`
	Total      int64       `json:"total"`
	Response   *Response   `json:"response"`
	Error      string      `json:"error"`
}

// EventType names an event (api.md "Events").
type EventType string

const (
	EventProgress EventType = "progress"
	EventSuccess  EventType = "backgroundfetchsuccess"
	EventFail     EventType = "backgroundfetchfail"
	EventAbort    EventType = "backgroundfetchabort"
	EventClick    EventType = "backgroundfetchclick"
)

// Event is one event (api.md "Events"). Events other than progress are
// durable: bgfetch writes them to its outbox before anyone sees them, and
// Seq is their place there (the SSE id).
type Event struct {
	Type         EventType    `json:"type"`
	EventID      string       `json:"eventId,omitempty"`
	Seq          uint64       `json:"-"`
	Registration Registration `json:"registration"`
	Records      []Record     `json:"records"`
}

// MatchQuery selects records (spec C.18, Cache API matching).
type MatchQuery struct {
	URL          string // empty matches every record
	Method       string // empty means GET when URL is set
	IgnoreSearch bool
	IgnoreMethod bool
}

// HandlerSpec is how bgfetch wakes an app: a command it runs, or a
// loopback webhook it POSTs to (api.md "Events"). It is given per app
// (PUT /v1/handler) or per fetch ("handler" in the fetch body).
type HandlerSpec struct {
	// Command is argv: the event JSON goes to its stdin; exit 0 = handled.
	Command []string `json:"command,omitempty"`
	// URL is a loopback http(s) URL: the event JSON is POSTed; 2xx = handled.
	URL string `json:"url,omitempty"`
}

// StatusInfo is the answer of GET /v1/status.
type StatusInfo struct {
	Version string `json:"version"`
	App     string `json:"app"`
}

// ErrorBody is the JSON shape of every error answer.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail names the exception (the spec's name) and says what happened.
type ErrorDetail struct {
	Name    string `json:"name"`
	Message string `json:"message"`
}

// IDList is the answer of GET /v1/fetches.
type IDList struct {
	IDs []string `json:"ids"`
}

// AbortAnswer is the answer of POST .../abort.
type AbortAnswer struct {
	Aborted bool `json:"aborted"`
}

// RecordList is the answer of GET .../records.
type RecordList struct {
	Records []Record `json:"records"`
}

// RecordAnswer is the answer of GET .../match: a record or null.
type RecordAnswer struct {
	Record *Record `json:"record"`
}
