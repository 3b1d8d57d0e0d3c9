package downloads

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	bgproxy "github.com/bgfetch/bgfetch/internal/proxy"

	"github.com/bgfetch/bgfetch/internal/version"
	"github.com/cavaliergopher/grab/v3"
)

// This file is the one place that sets up HTTP: the transport, grab's
// client, and each request bgfetch sends.

// newHTTPClient is the client of every transfer, connecting as the proxy
// setting says (internal/proxy: system, none, or an http(s)/socks5(h)
// proxy).
func newHTTPClient(cfg Config, proxy string) (*http.Client, error) {
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   model.MaxConnectionsPerFile * 2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ResponseHeaderTimeout: cfg.HeaderTimeout,
		ExpectContinueTimeout: time.Second,
		// Bodies are stored as sent: never let the transport inflate a
		// gzip Content-Encoding behind our byte counts.
		DisableCompression: true,
		// ReadBufferSize stays Go's 4 KiB: bodies are read in chunks of
		// 32-256 KiB (copyBuffer), which bufio hands to the connection
		// directly, so a bigger buffer only costs memory: every
		// open connection holds one, 256 KiB each before (16 held
		// streams: about 0.5 MiB of the daemon's RSS, same speed on
		// loopback).
	}
	if proxy == "" {
		proxy = bgproxy.System
	}
	if err := bgproxy.Configure(tr, proxy, cfg.Logger); err != nil {
		return nil, err
	}
	// Redirects are followed (up to 10) like fetch's "follow" mode.
	return &http.Client{Transport: tr}, nil
}

// useProxy switches every new connection to the proxy setting; running
// transfers stop and resume over the new proxy at once.
func (m *Manager) useProxy(setting string) error {
	hc, err := newHTTPClient(m.cfg, setting)
	if err != nil {
		hc, _ = newHTTPClient(m.cfg, "none")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	old := m.httpc
	m.httpc, m.grab = hc, newGrabClient(hc)
	if old != nil {
		old.CloseIdleConnections()
		for _, f := range m.order {
			for _, r := range f.recs {
				if r.running {
					r.cancel(errGated)
				}
			}
		}
	}
	return err
}

func newGrabClient(hc *http.Client) *grab.Client {
	return &grab.Client{
		HTTPClient: hc,
		UserAgent:  version.UserAgent(),
		BufferSize: maxCopyBuffer, // each request sets its own (copyBuffer)
	}
}

// A stream's copy buffer (grab's, a segment worker's) is both its read
// and its write size. One fast stream wants it big: 2 GiB from a loopback
// server took 1.3-1.4 s through grab with 256 KiB, 2.0-2.3 s with 64 KiB.
// Streams that run side by side share the link, so each needs less, and
// their buffers are held for as long as they run. So the streams share
// copyBudget, each taking its part of it when it starts, between
// minCopyBuffer (grab's default) and maxCopyBuffer: the first alone gets
// all of it, the second half, from the eighth on 32 KiB (16 held streams:
// 0.9 MiB of buffers instead of 4 MiB). BenchmarkRSS with 100 fetches, 16
// of them held: headless 40.0 -> 35.9 MiB with a 512 KiB budget; the
// window 0.6 MiB lower again with this one.
const (
	maxCopyBuffer = 256 << 10
	minCopyBuffer = 32 << 10
	copyBudget    = 256 << 10
)

// copyBufferFor is the copy buffer of a stream that starts while running
// connections (itself included) are open.
func copyBufferFor(running int) int {
	return min(maxCopyBuffer, max(minCopyBuffer, copyBudget/max(running, 1)))
}

// copyBuffer is the copy buffer of a stream starting now. m.mu not held.
func (m *Manager) copyBuffer() int {
	m.mu.Lock()
	running := m.running
	m.mu.Unlock()
	return copyBufferFor(running)
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

// setRequestHeaders sets the client's headers and bgfetch's own on an
// attempt's request.
func setRequestHeaders(hreq *http.Request, r model.Request) {
	for k, v := range r.Headers {
		hreq.Header.Set(k, v)
	}
	hreq.Header.Set("User-Agent", version.UserAgent())
	// Identity encoding: the stored body is exactly the bytes served.
	hreq.Header.Set("Accept-Encoding", "identity")
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
	setRequestHeaders(hreq, r)
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
