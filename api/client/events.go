package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/sse"
)

// EventsOptions select an event stream.
type EventsOptions struct {
	// UID narrows the stream to one registration.
	UID string
	// LastEventID resumes after that durable event (the Seq of an model.Event);
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
func (c *Client) Events(ctx context.Context, opts EventsOptions) (<-chan model.Event, error) {
	resp, err := c.openEvents(ctx, opts)
	if err != nil {
		return nil, err
	}
	ch := make(chan model.Event, 64)
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
				if apiErr := model.AsError(err); apiErr != nil && apiErr.Status < 500 {
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
	return c.do(streams, req, http.StatusOK)
}

// readEvents parses one SSE stream until it ends and returns the last
// event id seen (or last, unchanged).
func readEvents(ctx context.Context, resp *http.Response, last string, ch chan<- model.Event) string {
	defer resp.Body.Close()
	r := sse.NewReader(resp.Body)
	for {
		f, err := r.Next()
		if err != nil {
			return last
		}
		if f.HasID {
			last = f.ID
		}
		var ev model.Event
		if f.Data == "" || json.Unmarshal([]byte(f.Data), &ev) != nil {
			continue
		}
		if f.HasID {
			ev.Seq, _ = strconv.ParseUint(f.ID, 10, 64)
		}
		select {
		case ch <- ev:
		case <-ctx.Done():
			return last
		}
	}
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
