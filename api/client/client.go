package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/api/datadir"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/version"
)

// Options choose which daemon to talk to and as which app.
type Options struct {
	// DataDir locates the daemon (datadir.Resolve("") when empty).
	DataDir string
	// App is the app scope (Bgfetch-App); "default" when empty.
	App string
}

// Client talks to one daemon as one app. It is safe for concurrent use.
//
// A client made by New follows its data directory: when nothing answers
// at the endpoint, it reads DATA_DIR/endpoint again and, if a daemon
// announced another one (a restart on a new loopback port: the default on
// Windows, and any tcp:…:0 daemon), sends there instead.
type Client struct {
	dataDir string // "" (NewWithEndpoint): the endpoint never changes
	app     string

	mu    sync.RWMutex
	route *route
	token string
}

// route is one endpoint and the HTTP clients that reach it.
type route struct {
	endpoint string
	base     string       // http://localhost for a socket, http://127.0.0.1:PORT for TCP
	http     *http.Client // calls, with a timeout
	stream   *http.Client // events and bodies, without one
}

// New reads DATA_DIR/endpoint and DATA_DIR/token. Without an endpoint file
// it fails with an error matching ErrNotRunning.
func New(opts Options) (*Client, error) {
	dir, err := datadir.Resolve(opts.DataDir)
	if err != nil {
		return nil, err
	}
	ep, err := datadir.ReadEndpoint(dir)
	if errors.Is(err, datadir.ErrNoEndpoint) {
		return nil, fmt.Errorf("%w (no %s)", ErrNotRunning, datadir.EndpointPath(dir))
	}
	if err != nil {
		return nil, err
	}
	tok, err := datadir.ReadToken(dir)
	if err != nil {
		return nil, fmt.Errorf("read the token: %w", err)
	}
	c, err := NewWithEndpoint(ep, tok, opts.App)
	if err != nil {
		return nil, err
	}
	c.dataDir = dir
	return c, nil
}

// NewWithEndpoint talks to endpoint (`unix:/path` or `http://127.0.0.1:PORT`)
// with token, as app.
func NewWithEndpoint(endpoint, token, app string) (*Client, error) {
	if app == "" {
		app = model.DefaultApp
	}
	r, err := newRoute(endpoint)
	if err != nil {
		return nil, err
	}
	return &Client{app: app, route: r, token: token}, nil
}

func newRoute(endpoint string) (*route, error) {
	r := &route{endpoint: endpoint}
	transport := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}
	switch {
	case strings.HasPrefix(endpoint, "unix:"):
		path := strings.TrimPrefix(endpoint, "unix:")
		var d net.Dialer
		transport.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		}
		r.base = "http://localhost"
	case strings.HasPrefix(endpoint, "http://"):
		r.base = strings.TrimSuffix(endpoint, "/")
	default:
		return nil, fmt.Errorf("unknown endpoint %q", endpoint)
	}
	r.http = &http.Client{Transport: transport, Timeout: 60 * time.Second}
	r.stream = &http.Client{Transport: transport}
	return r, nil
}

// current is the route and token in use.
func (c *Client) current() (*route, string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.route, c.token
}

// reroute is called when nothing answered on failed: it reads the data
// directory's endpoint (and token) again and switches to a new endpoint
// found there. It reports whether there is a different one to try.
func (c *Client) reroute(failed *route) bool {
	if c.dataDir == "" {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.route != failed { // another call switched already
		return true
	}
	ep, err := datadir.ReadEndpoint(c.dataDir)
	if err != nil || ep == failed.endpoint {
		return false
	}
	tok, err := datadir.ReadToken(c.dataDir)
	if err != nil {
		return false
	}
	r, err := newRoute(ep)
	if err != nil {
		return false
	}
	c.route, c.token = r, tok
	return true
}

// App is the client's app scope.
func (c *Client) App() string { return c.app }

// Endpoint is the daemon's endpoint (the latest one, for a client that
// followed a restart).
func (c *Client) Endpoint() string {
	r, _ := c.current()
	return r.endpoint
}

// newRequest builds an authorised request to path (already escaped). do
// sends it to the current endpoint.
func (c *Client) newRequest(ctx context.Context, method, path string, body any) (*http.Request, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://bgfetch"+path, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set(model.AppHeader, c.app)
	req.Header.Set("User-Agent", version.UserAgent())
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// Kinds of HTTP client do uses.
const (
	calls   = false // with a timeout
	streams = true  // events and bodies, without one
)

// do sends req to the current endpoint and returns the response when its
// status is one of ok; other statuses become a *model.Error. When nothing
// answers and the data directory names a new endpoint, it sends req
// there (nothing was sent: the connection was refused).
func (c *Client) do(stream bool, req *http.Request, ok ...int) (*http.Response, error) {
	for {
		r, token := c.current()
		out, err := c.sendTo(r, token, stream, req)
		if err != nil {
			if !isConnectFailure(err) {
				return nil, err
			}
			if c.reroute(r) {
				continue
			}
			return nil, &notRunningError{endpoint: r.endpoint, cause: err}
		}
		for _, s := range ok {
			if out.StatusCode == s {
				return out, nil
			}
		}
		defer out.Body.Close()
		return nil, errorFrom(out)
	}
}

// sendTo sends a copy of req to r with token.
func (c *Client) sendTo(r *route, token string, stream bool, req *http.Request) (*http.Response, error) {
	base, err := url.Parse(r.base)
	if err != nil {
		return nil, err
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = base.Scheme, base.Host, ""
	out.Header.Set("Authorization", "Bearer "+token)
	if req.GetBody != nil {
		if out.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	hc := r.http
	if stream {
		hc = r.stream
	}
	return hc.Do(out)
}

func errorFrom(resp *http.Response) error {
	var eb model.ErrorBody
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &eb) != nil || eb.Error.Name == "" {
		eb.Error.Name = model.UnknownError
		eb.Error.Message = strings.TrimSpace(string(b))
		if eb.Error.Message == "" {
			eb.Error.Message = resp.Status
		}
	}
	return &model.Error{Status: resp.StatusCode, Name: eb.Error.Name, Message: eb.Error.Message,
		Duplicate: resp.StatusCode == http.StatusConflict && eb.Error.Name == model.TypeError}
}

// call sends a JSON request and decodes a JSON answer into out (if not nil).
func (c *Client) call(ctx context.Context, method, path string, body, out any, ok ...int) error {
	req, err := c.newRequest(ctx, method, path, body)
	if err != nil {
		return err
	}
	if len(ok) == 0 {
		ok = []int{http.StatusOK}
	}
	resp, err := c.do(calls, req, ok...)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode answer of %s %s: %w", method, path, err)
	}
	return nil
}

func regPath(uid, suffix string) string {
	return "/v1/registrations/" + url.PathEscape(uid) + suffix
}

// Status is GET /v1/status: the daemon's version (and a cheap liveness check).
func (c *Client) Status(ctx context.Context) (model.StatusInfo, error) {
	var s model.StatusInfo
	err := c.call(ctx, http.MethodGet, "/v1/status", nil, &s)
	return s, err
}

// Fetch is POST /v1/fetches: fetch().
func (c *Client) Fetch(ctx context.Context, f model.FetchRequest) (*model.Registration, error) {
	var reg model.Registration
	if err := c.call(ctx, http.MethodPost, "/v1/fetches", f, &reg, http.StatusCreated); err != nil {
		return nil, err
	}
	return &reg, nil
}

// IDs is GET /v1/fetches: getIds().
func (c *Client) IDs(ctx context.Context) ([]string, error) {
	var l model.IDList
	err := c.call(ctx, http.MethodGet, "/v1/fetches", nil, &l)
	return l.IDs, err
}

// Get is GET /v1/fetches/{id}: get(id). It returns nil, nil when no active
// fetch has that id.
func (c *Client) Get(ctx context.Context, id string) (*model.Registration, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/fetches/"+url.PathEscape(id), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(calls, req, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var reg *model.Registration
	if err := json.NewDecoder(resp.Body).Decode(&reg); err != nil {
		return nil, fmt.Errorf("decode registration: %w", err)
	}
	if resp.StatusCode == http.StatusNotFound && reg != nil {
		return nil, errors.New("unexpected 404 answer with a registration")
	}
	return reg, nil
}

// Registration is GET /v1/registrations/{uid}, settled ones included.
func (c *Client) Registration(ctx context.Context, uid string) (*model.Registration, error) {
	var reg model.Registration
	if err := c.call(ctx, http.MethodGet, regPath(uid, ""), nil, &reg); err != nil {
		return nil, err
	}
	return &reg, nil
}

// Abort is abort(): true the first time, false afterwards or once settled.
func (c *Client) Abort(ctx context.Context, uid string) (bool, error) {
	var a model.AbortAnswer
	err := c.call(ctx, http.MethodPost, regPath(uid, "/abort"), nil, &a)
	return a.Aborted, err
}

// Pause, Resume, Release and Click act on a registration and return it as
// it is afterwards.
func (c *Client) Pause(ctx context.Context, uid string) (*model.Registration, error) {
	return c.act(ctx, uid, "pause")
}
func (c *Client) Resume(ctx context.Context, uid string) (*model.Registration, error) {
	return c.act(ctx, uid, "resume")
}
func (c *Client) Release(ctx context.Context, uid string) (*model.Registration, error) {
	return c.act(ctx, uid, "release")
}
func (c *Client) Click(ctx context.Context, uid string) (*model.Registration, error) {
	return c.act(ctx, uid, "click")
}

func (c *Client) act(ctx context.Context, uid, action string) (*model.Registration, error) {
	var reg model.Registration
	if err := c.call(ctx, http.MethodPost, regPath(uid, "/"+action), nil, &reg); err != nil {
		return nil, err
	}
	return &reg, nil
}

// Records is matchAll(): every record matching q (all with a zero q).
func (c *Client) Records(ctx context.Context, uid string, q model.MatchQuery) ([]model.Record, error) {
	var l model.RecordList
	err := c.call(ctx, http.MethodGet, regPath(uid, "/records")+queryString(q), nil, &l)
	return l.Records, err
}

// Match is match(): the first record matching q, or nil.
func (c *Client) Match(ctx context.Context, uid string, q model.MatchQuery) (*model.Record, error) {
	var a model.RecordAnswer
	err := c.call(ctx, http.MethodGet, regPath(uid, "/match")+queryString(q), nil, &a)
	return a.Record, err
}

func queryString(q model.MatchQuery) string {
	v := url.Values{}
	if q.URL != "" {
		v.Set("url", q.URL)
	}
	if q.Method != "" {
		v.Set("method", q.Method)
	}
	if q.IgnoreSearch {
		v.Set("ignoreSearch", "true")
	}
	if q.IgnoreMethod {
		v.Set("ignoreMethod", "true")
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// Body is a stored response body.
type Body struct {
	io.ReadCloser
	// Status is the stored response's own status (200, or 404 for a
	// bad-status record).
	Status int
	// Size is the length of this answer (the rest from offset).
	Size int64
}

// Body returns record index's body from offset (a Range request when
// offset > 0), waiting until the response is ready. Close it.
func (c *Client) Body(ctx context.Context, uid string, index int, offset int64) (*Body, error) {
	req, err := c.newRequest(ctx, http.MethodGet, regPath(uid, "/records/"+strconv.Itoa(index)+"/body"), nil)
	if err != nil {
		return nil, err
	}
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := c.do(streams, req, http.StatusOK, http.StatusPartialContent)
	if err != nil {
		return nil, err
	}
	status, _ := strconv.Atoi(resp.Header.Get(model.ResponseStatusHeader))
	return &Body{ReadCloser: resp.Body, Status: status, Size: resp.ContentLength}, nil
}

// SetHandler is PUT /v1/handler: the app's default handler.
func (c *Client) SetHandler(ctx context.Context, h model.HandlerSpec) error {
	return c.call(ctx, http.MethodPut, "/v1/handler", h, nil)
}

// Handler is GET /v1/handler; nil when the app has none.
func (c *Client) Handler(ctx context.Context) (*model.HandlerSpec, error) {
	var h model.HandlerSpec
	err := c.call(ctx, http.MethodGet, "/v1/handler", nil, &h)
	if model.NameOf(err) == model.NotFoundError {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// DeleteHandler is DELETE /v1/handler.
func (c *Client) DeleteHandler(ctx context.Context) error {
	return c.call(ctx, http.MethodDelete, "/v1/handler", nil, nil, http.StatusNoContent)
}

// Update is PATCH /v1/registrations/{uid}: priority, speed limit,
// connections or metered policy of an active fetch.
func (c *Client) Update(ctx context.Context, uid string, p model.RegistrationPatch) (*model.Registration, error) {
	var reg model.Registration
	if err := c.call(ctx, http.MethodPatch, regPath(uid, ""), p, &reg); err != nil {
		return nil, err
	}
	return &reg, nil
}

// Retry is POST /v1/registrations/{uid}/retry: the new registration.
func (c *Client) Retry(ctx context.Context, uid string) (*model.Registration, error) {
	var reg model.Registration
	if err := c.call(ctx, http.MethodPost, regPath(uid, "/retry"), nil, &reg, http.StatusCreated); err != nil {
		return nil, err
	}
	return &reg, nil
}

// History is one page of GET /v1/registrations: state "active",
// "settled" or "all" (""), limit 0 for the default, before "" for the
// newest page.
func (c *Client) History(ctx context.Context, state string, limit int, before string) (*model.RegistrationPage, error) {
	v := url.Values{}
	if state != "" {
		v.Set("state", state)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if before != "" {
		v.Set("before", before)
	}
	path := "/v1/registrations"
	if len(v) > 0 {
		path += "?" + v.Encode()
	}
	var page model.RegistrationPage
	if err := c.call(ctx, http.MethodGet, path, nil, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// Settings is GET /v1/settings.
func (c *Client) Settings(ctx context.Context) (*model.Settings, error) {
	var s model.Settings
	if err := c.call(ctx, http.MethodGet, "/v1/settings", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// UpdateSettings is PATCH /v1/settings: all settings afterwards.
func (c *Client) UpdateSettings(ctx context.Context, p model.SettingsPatch) (*model.Settings, error) {
	var s model.Settings
	if err := c.call(ctx, http.MethodPatch, "/v1/settings", p, &s); err != nil {
		return nil, err
	}
	return &s, nil
}
