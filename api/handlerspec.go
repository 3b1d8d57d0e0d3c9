package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
)

// HandlerSpec is how bgfetch wakes an app: a command it runs, or a
// loopback webhook it POSTs to (api.md "Events"). It is given per app
// (PUT /v1/handler) or per fetch ("handler" in the fetch body).
type HandlerSpec struct {
	// Command is argv: the event JSON goes to its stdin; exit 0 = handled.
	Command []string `json:"command,omitempty"`
	// URL is a loopback http(s) URL: the event JSON is POSTed; 2xx = handled.
	URL string `json:"url,omitempty"`
}

// ParseHandlerSpec decodes and checks a handler object: exactly one of
// command (a non-empty list whose first item names a program) or url (an
// http or https URL on a loopback address, no credentials).
func ParseHandlerSpec(raw json.RawMessage) (HandlerSpec, error) {
	var h HandlerSpec
	if err := decodeStrict(bytes.NewReader(raw), &h); err != nil {
		return HandlerSpec{}, typeError("handler: " + errorMessage(err))
	}
	if err := h.Validate(); err != nil {
		return HandlerSpec{}, err
	}
	return h, nil
}

// Validate checks a handler spec (see ParseHandlerSpec).
func (h HandlerSpec) Validate() error {
	switch {
	case len(h.Command) > 0 && h.URL != "":
		return typeError("handler: give either command or url, not both")
	case len(h.Command) > 0:
		if h.Command[0] == "" {
			return typeError("handler: command[0] must name a program")
		}
		return nil
	case h.URL != "":
		return validateWebhookURL(h.URL)
	}
	return typeError(`handler: give {"command": [...]} or {"url": "http://127.0.0.1:PORT/path"}`)
}

func validateWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return typeError(fmt.Sprintf("handler: malformed url %q", raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return typeError(fmt.Sprintf("handler: url %q must be http or https", raw))
	}
	if u.User != nil {
		return typeError(fmt.Sprintf("handler: url %q must not carry credentials", raw))
	}
	if !isLoopbackName(u.Hostname()) {
		return typeError(fmt.Sprintf("handler: url %q must be on a loopback address (127.0.0.1, ::1 or localhost)", raw))
	}
	return nil
}

// JSON is the normalised document stored with the fetch or the app.
func (h HandlerSpec) JSON() json.RawMessage {
	b, _ := json.Marshal(h)
	return b
}
