package downloads

import (
	"net/url"
	"sort"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// Get returns the active registration with id in app (spec A.2).
func (m *Manager) Get(app, id string) (model.Registration, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	uid := m.active[appID{app, id}]
	if uid == "" {
		return model.Registration{}, false
	}
	return m.snapshot(m.fetches[uid]), true
}

// IDs lists the ids of app's active fetches in registration order (spec A.3).
func (m *Manager) IDs(app string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := []string{}
	for _, f := range m.order {
		if f.reg.App == app {
			ids = append(ids, f.reg.ID)
		}
	}
	return ids
}

// Registration returns any kept registration by uid.
func (m *Manager) Registration(uid string) (model.Registration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.lookup(uid)
	if err != nil {
		return model.Registration{}, err
	}
	return m.snapshot(f), nil
}

// List returns every kept registration of every app, newest first.
func (m *Manager) List() []model.Registration {
	m.mu.Lock()
	out := make([]model.Registration, 0, len(m.fetches))
	for _, f := range m.fetches {
		out = append(out, m.snapshot(f))
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].UID > out[j].UID
	})
	return out
}

// Records returns every record of a kept registration, available or not
// (for UIs; clients use MatchAll).
func (m *Manager) Records(uid string) ([]model.Record, error) {
	f, err := m.find(uid)
	if err != nil {
		return nil, err
	}
	recs, err := m.recordsOf(f)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return recordViews(recs), nil
}

// MatchAll returns the records matching q (spec C.18).
func (m *Manager) MatchAll(uid string, q model.MatchQuery) ([]model.Record, error) {
	match, err := newMatcher(q)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	f, err := m.lookup(uid)
	if err == nil && !f.reg.RecordsAvailable {
		err = model.InvalidStatef("the records of %s are no longer available", uid)
	}
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	recs, err := m.recordsOf(f)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []model.Record{}
	for _, r := range recs {
		if match(r.Request) {
			out = append(out, recordView(r))
		}
	}
	return out, nil
}

// Match returns the first record matching q, or nil (spec C.18).
func (m *Manager) Match(uid string, q model.MatchQuery) (*model.Record, error) {
	if q.URL == "" {
		return nil, model.TypeErrorf("match needs a URL")
	}
	recs, err := m.MatchAll(uid, q)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return &recs[0], nil
}

// newMatcher implements Cache API request matching.
func newMatcher(q model.MatchQuery) (func(model.Request) bool, error) {
	if q.URL == "" {
		return func(model.Request) bool { return true }, nil
	}
	qu, err := url.Parse(q.URL)
	if err != nil {
		return nil, model.TypeErrorf("malformed URL %q", q.URL)
	}
	method := q.Method
	if method == "" {
		method = "GET"
	}
	norm := func(u *url.URL) string {
		c := *u
		c.Fragment, c.RawFragment = "", ""
		if q.IgnoreSearch {
			c.RawQuery, c.ForceQuery = "", false
		}
		return c.String()
	}
	want := norm(qu)
	return func(r model.Request) bool {
		if !q.IgnoreMethod && (method != "GET" || r.Method != "GET") {
			return false
		}
		ru, err := url.Parse(r.URL)
		return err == nil && norm(ru) == want
	}, nil
}
