package model

import (
	"net"
	"net/url"
	"strings"
	"unicode/utf8"
)

// EventType names an event (api.md "Events").
type EventType string

const (
	EventProgress EventType = "progress"
	EventSuccess  EventType = "backgroundfetchsuccess"
	EventFail     EventType = "backgroundfetchfail"
	EventAbort    EventType = "backgroundfetchabort"
	EventClick    EventType = "backgroundfetchclick"
	// EventState is bgfetch's own, published (not stored, not sent to
	// handlers) when a registration's state changes without its byte
	// counts changing, so that UIs show "Waiting for network" at once.
	EventState EventType = "state"
)

// Durable reports whether events of this type are stored in the outbox
// and delivered to handlers (success, fail, abort, click).
func (t EventType) Durable() bool {
	return t == EventSuccess || t == EventFail || t == EventAbort || t == EventClick
}

// Settles reports whether the event ends a fetch: once its handler has
// handled it, the records are released (spec C.7).
func (t EventType) Settles() bool {
	return t == EventSuccess || t == EventFail || t == EventAbort
}

// Event is one event (api.md "Events"). Durable events are written to the
// outbox before anyone sees them, and Seq is their place there (the SSE
// id; EventID is the same number as a string).
type Event struct {
	Type         EventType    `json:"type"`
	EventID      string       `json:"eventId,omitempty"`
	Seq          uint64       `json:"-"`
	Registration Registration `json:"registration"`
	Records      []Record     `json:"records"`
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

// Validate checks a handler: exactly one of command (a non-empty list
// whose first item names a program) or url (an http or https URL on a
// loopback address, without credentials).
func (h HandlerSpec) Validate() error {
	switch {
	case len(h.Command) > 0 && h.URL != "":
		return TypeErrorf("handler: give either command or url, not both")
	case len(h.Command) > 0:
		if h.Command[0] == "" {
			return TypeErrorf("handler: command[0] must name a program")
		}
		if len(h.Command) > MaxCommandArgs {
			return TypeErrorf("handler: command has %d items; the limit is %d", len(h.Command), MaxCommandArgs)
		}
		for i, a := range h.Command {
			switch {
			case strings.IndexByte(a, 0) >= 0:
				return TypeErrorf("handler: command[%d] holds a NUL byte, which no program can be given", i)
			case len(a) > MaxCommandArgBytes:
				return TypeErrorf("handler: command[%d] is %d bytes; the limit is %d", i, len(a), MaxCommandArgBytes)
			case !utf8.ValidString(a):
				return TypeErrorf("handler: command[%d] is not valid UTF-8", i)
			}
		}
		return nil
	case h.URL != "":
		return ValidateWebhookURL(h.URL)
	}
	return TypeErrorf(`handler: give {"command": [...]} or {"url": "http://127.0.0.1:PORT/path"}`)
}

// ValidateWebhookURL checks a webhook handler's URL.
func ValidateWebhookURL(raw string) error {
	if len(raw) > MaxURLBytes {
		return TypeErrorf("handler: the url is %d bytes; the limit is %d", len(raw), MaxURLBytes)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return TypeErrorf("handler: malformed url")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return TypeErrorf("handler: url %q must be http or https", u.Redacted())
	}
	if u.User != nil {
		return TypeErrorf("handler: url %q must not carry credentials", u.Redacted())
	}
	if !IsLoopbackName(u.Hostname()) {
		return TypeErrorf("handler: url %q must be on a loopback address (127.0.0.1, ::1 or localhost)", u.Redacted())
	}
	return nil
}

// IsLoopbackName is the one loopback test: the name localhost or a
// loopback IP literal. Names are never resolved.
func IsLoopbackName(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// UpdateUI is event.updateUI({title, icons}) (spec C.21).
type UpdateUI struct {
	Title *string `json:"title,omitempty"`
	Icons []Icon  `json:"icons,omitempty"`
}

// HandlerAnswer is what a handler may print (command) or answer (webhook),
// and the body of POST /v1/events/{eventId}/handled.
type HandlerAnswer struct {
	UpdateUI *UpdateUI `json:"updateUI,omitempty"`
}

// ParseHandlerSpec decodes and checks a handler object (see Validate).
func ParseHandlerSpec(raw []byte) (HandlerSpec, error) {
	var h HandlerSpec
	if err := DecodeStrictBytes(raw, &h); err != nil {
		return HandlerSpec{}, TypeErrorf("handler: %s", messageOf(err))
	}
	if err := h.Validate(); err != nil {
		return HandlerSpec{}, err
	}
	return h, nil
}
