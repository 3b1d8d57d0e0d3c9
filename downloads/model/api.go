package model

// Headers of the API (api.md).
const (
	// AppHeader names the calling app; DefaultApp when absent.
	AppHeader  = "Bgfetch-App"
	DefaultApp = "default"
	// ResponseStatusHeader carries the stored response's own status on a
	// body answer (a 404 body is served with 200 and this header at 404).
	ResponseStatusHeader = "Bgfetch-Response-Status"
)

// Limits of a fetch() call.
const (
	MaxIDBytes      = 1024
	MaxRequests     = 10000
	MaxAppNameBytes = 255
	MaxTitleBytes   = 1024
	MaxIcons        = 32

	// MaxUploadBytes caps one request's upload body (decoded): what fits,
	// base64-encoded, in a fetch() body of 64 MiB.
	MaxUploadBytes = 48 << 20
	// MaxURLBytes caps a request's or an icon's URL.
	MaxURLBytes = 64 << 10
	// MaxRequestHeaderBytes caps the names and values of one request's
	// headers together.
	MaxRequestHeaderBytes = 64 << 10
	// MaxPathBytes caps a destination path.
	MaxPathBytes = 4096
	// MaxCommandArgs and MaxCommandArgBytes cap a command handler's argv.
	MaxCommandArgs     = 256
	MaxCommandArgBytes = 32 << 10
)

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
	Name    ErrorName `json:"name"`
	Message string    `json:"message"`
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

// FetchResult is a registration with its records: what `bgfetch fetch
// --wait --json` prints once the fetch settled.
type FetchResult struct {
	Registration Registration `json:"registration"`
	Records      []Record     `json:"records"`
}
