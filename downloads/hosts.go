package downloads

import (
	"net/url"
	"time"
)

// One host, one backoff: when a host cannot be reached at all (refused,
// unreachable, no name), the records that wait for it do not each dial on
// their own. They wait together; one of them probes when the host's
// backoff ends, and the host is up again as soon as any attempt gets a
// response from it (then they all go). 1,000 fetches of one dead host cost
// one connection attempt per backoff step, not 1,000.

// hostState is one unreachable host. Fields are guarded by Manager.mu.
type hostState struct {
	key      string
	failures int // probes in a row that could not reach it
	timer    *time.Timer
	probeDue bool    // the backoff ended: the next record to start probes
	probing  *record // the record probing now
	waiting  map[*record]*fetch
	capped   bool // the failures are of the kind that gives up (no such name)
}

// hostKey names the host of a request URL: scheme, host and port.
func hostKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return u.Scheme + "://" + u.Hostname() + ":" + port
}

// hostDown notes that r's attempt could not reach its host and makes r
// wait for it. It returns the host's failures in a row. m.mu held.
func (m *Manager) hostDown(f *fetch, r *record, capped bool) int {
	h := m.hosts[r.host]
	if h == nil {
		h = &hostState{key: r.host, waiting: map[*record]*fetch{}}
		m.hosts[r.host] = h
	}
	h.waiting[r] = f
	r.hostWait = true
	if h.probing == r || h.timer == nil && !h.probeDue {
		// The probe failed (or the host just went down): back off.
		h.probing = nil
		h.failures++
		h.capped = capped
		delay := m.backoff().Delay(h.failures)
		m.log.Info("host unreachable; its records wait together", "host", h.key, "records", len(h.waiting), "retryIn", delay.Round(time.Millisecond))
		h.timer = time.AfterFunc(delay, func() { m.probeHost(h) })
	}
	return h.failures
}

// probeHost ends a host's backoff: one waiting record may try.
func (m *Manager) probeHost(h *hostState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	h.timer, h.probeDue = nil, true
	for _, f := range h.waiting {
		m.markReady(f) // nextRunnable hands the probe to the first it meets
	}
	m.schedule()
}

// hostReached notes that an attempt got an answer from key's host: every
// record that waited for it may go. m.mu held.
func (m *Manager) hostReached(key string) {
	h := m.hosts[key]
	if h == nil {
		return
	}
	delete(m.hosts, key)
	if h.timer != nil {
		h.timer.Stop()
	}
	for r, f := range h.waiting {
		r.hostWait = false
		m.markReady(f)
	}
	m.log.Info("host reachable again", "host", key, "records", len(h.waiting))
}

// mayProbe reports whether r, waiting for its host, may start now (it
// becomes the probe). m.mu held.
func (m *Manager) mayProbe(r *record) bool {
	h := m.hosts[r.host]
	if h == nil {
		r.hostWait = false // the host came back meanwhile
		return true
	}
	if !h.probeDue || h.probing != nil {
		return false
	}
	h.probeDue, h.probing = false, r
	return true
}

// unclaimProbe gives the probe back when r could not start after all.
// m.mu held.
func (m *Manager) unclaimProbe(r *record) {
	if h := m.hosts[r.host]; h != nil && h.probing == r {
		h.probing, h.probeDue = nil, true
		r.hostWait = true
	}
}

// forgetHostWait removes r from its host's waiters (it settled). m.mu held.
func (m *Manager) forgetHostWait(r *record) {
	if h := m.hosts[r.host]; h != nil {
		delete(h.waiting, r)
		if h.probing == r {
			h.probing, h.probeDue = nil, true
		}
		if len(h.waiting) == 0 {
			if h.timer != nil {
				h.timer.Stop()
			}
			delete(m.hosts, r.host)
		}
	}
	r.hostWait = false
}

// retryHosts ends every host's backoff (the network came back). m.mu held.
func (m *Manager) retryHosts() {
	for _, h := range m.hosts {
		if h.timer != nil {
			h.timer.Stop()
			h.timer = nil
		}
		h.failures, h.probeDue = 0, true
		for _, f := range h.waiting {
			m.markReady(f)
		}
	}
}
