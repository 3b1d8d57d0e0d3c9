package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/bgfetch/bgfetch/api/wire"
)

// HandlerSpec is how bgfetch wakes an app (wire.HandlerSpec).
type HandlerSpec = wire.HandlerSpec

// ParseHandlerSpec decodes and checks a handler object: exactly one of
// command (a non-empty list whose first item names a program) or url (an
// http or https URL on a loopback address, no credentials).
func ParseHandlerSpec(raw json.RawMessage) (HandlerSpec, error) {
	var h HandlerSpec
	if err := decodeStrict(bytes.NewReader(raw), &h); err != nil {
		return HandlerSpec{}, typeError("handler: " + errorMessage(err))
	}
	if err := validateHandlerSpec(h); err != nil {
		return HandlerSpec{}, err
	}
	return h, nil
}

// validateHandlerSpec checks a handler spec (see ParseHandlerSpec).
func validateHandlerSpec(h HandlerSpec) error {
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

// handlerJSON is the normalised document stored with the fetch or the app.
func handlerJSON(h HandlerSpec) json.RawMessage {
	b, _ := json.Marshal(h)
	return b
}
