package downloads

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/version"
	"github.com/cavaliergopher/grab/v3"
)

// This file is the one place that sets up HTTP: the transport, grab's
// client, and each request bgfetch sends.

func newHTTPClient(cfg Config) *http.Client {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   cfg.MaxConnections,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   15 * time.Second,
			ResponseHeaderTimeout: cfg.HeaderTimeout,
			ExpectContinueTimeout: time.Second,
			// Bodies are stored as sent: never let the transport inflate a
			// gzip Content-Encoding behind our byte counts.
			DisableCompression: true,
			ReadBufferSize:     256 << 10,
		},
		// Redirects are followed (up to 10) like fetch's "follow" mode.
	}
}

func newGrabClient(hc *http.Client) *grab.Client {
	return &grab.Client{
		HTTPClient: hc,
		UserAgent:  version.UserAgent(),
		BufferSize: 256 << 10,
	}
}

// countingBody counts upload bytes as the transport reads them.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// newGrabRequest builds the grab request for one attempt of a record,
// writing to partial and sending up (upload.go) as the body. uploaded
// counts the body bytes sent.
func newGrabRequest(ctx context.Context, partial string, r model.Request, up upload, uploaded *atomic.Int64) (*grab.Request, error) {
	hreq, err := http.NewRequestWithContext(ctx, r.Method, r.URL, nil)
	if err != nil {
		return nil, err
	}
	if up.size > 0 {
		body, err := up.open()
		if err != nil {
			return nil, err
		}
		hreq.Body = countingBody{ReadCloser: body, n: uploaded}
		hreq.ContentLength = up.size
		hreq.GetBody = func() (io.ReadCloser, error) {
			uploaded.Store(0)
			b, err := up.open()
			if err != nil {
				return nil, err
			}
			return countingBody{ReadCloser: b, n: uploaded}, nil
		}
	}
	for k, v := range r.Headers {
		hreq.Header.Set(k, v)
	}
	hreq.Header.Set("User-Agent", version.UserAgent())
	// Identity encoding: the stored body is exactly the bytes served.
	hreq.Header.Set("Accept-Encoding", "identity")
	greq := &grab.Request{
		HTTPRequest:      hreq,
		Filename:         partial,
		IgnoreRemoteTime: true,
		// Non-2xx bodies are stored too (spec C.16); bgfetch judges the
		// status itself in BeforeCopy.
		IgnoreBadStatusCodes: true,
		NoCreateDirectories:  true,
	}
	// grab keeps its own context beside the http.Request's and replaces
	// the latter with one derived from it: cancellation must go here.
	return greq.WithContext(ctx), nil
}
