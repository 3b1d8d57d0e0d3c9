package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// EventsOptions select an event stream.
type EventsOptions struct {
	// UID narrows the stream to one registration.
	UID string
	// LastEventID resumes after that durable event (the Seq of an Event);
	// empty starts with live events.
	LastEventID string
}

// reconnect delays after a dropped stream.
const (
	reconnectMin = 100 * time.Millisecond
	reconnectMax = 5 * time.Second
)

// Events subscribes to GET /v1/events. It returns once the first
// connection is up (so nothing after this call is missed), then delivers
// events on the channel, reconnecting with Last-Event-ID when the stream
// drops (a daemon restart included). The channel closes when ctx ends or
// the daemon refuses the stream (for example, the registration is gone).
func (c *Client) Events(ctx context.Context, opts EventsOptions) (<-chan Event, error) {
	resp, err := c.openEvents(ctx, opts)
	if err != nil {
		return nil, err
	}
	ch := make(chan Event, 64)
	go func() {
		defer close(ch)
		last := opts.LastEventID
		delay := reconnectMin
		for {
			last = readEvents(ctx, resp, last, ch)
			for {
				if !sleepCtx(ctx, delay) {
					return
				}
				delay = min(delay*2, reconnectMax)
				resp, err = c.openEvents(ctx, EventsOptions{UID: opts.UID, LastEventID: last})
				var apiErr *Error
				if errors.As(err, &apiErr) && apiErr.Status < 500 {
					return // refused for good
				}
				if err == nil {
					delay = reconnectMin
					break
				}
			}
		}
	}()
	return ch, nil
}

func (c *Client) openEvents(ctx context.Context, opts EventsOptions) (*http.Response, error) {
	path := "/v1/events"
	if opts.UID != "" {
		path += "?uid=" + url.QueryEscape(opts.UID)
	}
	req, err := c.newRequest(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if opts.LastEventID != "" {
		req.Header.Set("Last-Event-ID", opts.LastEventID)
	}
	return c.do(c.stream, req, http.StatusOK)
}

// readEvents parses one SSE stream until it ends and returns the last
// event id seen (or last, unchanged).
func readEvents(ctx context.Context, resp *http.Response, last string, ch chan<- Event) string {
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var id, data string
	var hasID bool
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if hasID {
				last = id
			}
			if data != "" {
				var ev Event
				if json.Unmarshal([]byte(data), &ev) == nil {
					if hasID {
						ev.Seq, _ = strconv.ParseUint(id, 10, 64)
					}
					select {
					case ch <- ev:
					case <-ctx.Done():
						return last
					}
				}
			}
			id, data, hasID = "", "", false
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id, hasID = value, true
		case "data":
			if data != "" {
				data += "\n"
			}
			data += value
		}
	}
	return last
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
