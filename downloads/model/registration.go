package model

import "time"

// Icon is one image offered for a fetch's UI (spec A.1).
type Icon struct {
	Src   string `json:"src"`
	Sizes string `json:"sizes,omitempty"`
	Type  string `json:"type,omitempty"`
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
	KnownTotal  int64        `json:"knownTotal"`
	Destination string       `json:"destination,omitempty"`
	Handler     *HandlerSpec `json:"handler,omitempty"`
	// AllGET tells whether Pause/Resume is offered (spec D.26).
	AllGET bool `json:"allGet"`

	// Transfer control (api.md, second round).
	Priority          Priority      `json:"priority"`
	MaxBytesPerSecond int64         `json:"maxBytesPerSecond"`
	Connections       int           `json:"connections"`
	Metered           MeteredPolicy `json:"metered"`
	// Speed is bytes per second over the last few seconds (0 when idle).
	Speed      int64      `json:"speed"`
	WaitReason WaitReason `json:"waitReason"`
	// RetryOf is the uid this fetch retries, or "".
	RetryOf string `json:"retryOf"`
}

// Active reports whether the registration has not settled yet.
func (r Registration) Active() bool { return r.Result == ResultPending }

// RecordState is where one request of a fetch is.
type RecordState string

const (
	RecordPending RecordState = "pending"
	RecordRunning RecordState = "running"
	RecordSuccess RecordState = "success"
	RecordFailed  RecordState = "failed"
	RecordAborted RecordState = "aborted"
)

// Finished reports whether a record in this state is done for good.
func (s RecordState) Finished() bool {
	return s == RecordSuccess || s == RecordFailed || s == RecordAborted
}

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

// MatchQuery selects records (spec C.18, Cache API matching).
type MatchQuery struct {
	URL          string // empty matches every record
	Method       string // empty means GET when URL is set
	IgnoreSearch bool
	IgnoreMethod bool
}
