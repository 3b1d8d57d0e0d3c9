package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// bgFetch is the background fetch that runs through an attack: it must
// finish byte-exact.
type bgFetch struct {
	d    *daemon
	uid  string
	size int64
	err  error
}

// startBG registers a fetch of size bytes served at rate bytes a second.
func startBG(d *daemon, fs *fileServer, name string, size, rate int64) *bgFetch {
	b := &bgFetch{d: d, size: size}
	reg, err := d.fetch(map[string]any{"id": "bg-" + name,
		"requests": fmt.Sprintf("%s/gen/%s?size=%d&rate=%d", fs.url, name, size, rate)})
	b.uid, b.err = reg.UID, err
	return b
}

// check waits until the fetch settled and compares its body with what the
// server sent; "" when it is exact.
func (b *bgFetch) check(timeout time.Duration) string {
	if b.err != nil {
		return "not registered: " + b.err.Error()
	}
	reg, err := b.d.settled(b.uid, timeout)
	if err != nil {
		return err.Error()
	}
	if reg.Result != "success" {
		return "settled as " + reg.Result + "/" + reg.FailureReason
	}
	req, _ := http.NewRequest("GET", b.d.base+"/v1/registrations/"+b.uid+"/records/0/body", nil)
	req.Header.Set("Authorization", "Bearer "+b.d.token)
	resp, err := b.d.hc.Do(req)
	if err != nil {
		return "body: " + err.Error()
	}
	defer resp.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return fmt.Sprintf("body: %d %v", resp.StatusCode, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != patternSum(b.size) {
		return fmt.Sprintf("body differs (%d of %d bytes)", n, b.size)
	}
	return ""
}

// survival is the row every daemon case ends with: the daemon runs, the
// background fetch is byte-exact, every registration answered 201 is
// still there. A uid of another app than the default is given as
// "app|uid".
func survival(name string, d *daemon, bg *bgFetch, uids []string) row {
	var problems []string
	if !d.alive() {
		problems = append(problems, "daemon died: "+tail(d.logPath, 3))
	} else {
		if bg != nil {
			if msg := bg.check(90 * time.Second); msg != "" {
				problems = append(problems, "background fetch: "+msg)
			}
		}
		lost := 0
		for _, uid := range uids {
			var hdr []string
			if app, u, ok := strings.Cut(uid, "|"); ok {
				hdr, uid = []string{"Bgfetch-App", app}, u
			}
			if _, err := d.registration(uid, hdr...); err != nil {
				lost++
			}
		}
		if lost > 0 {
			problems = append(problems, fmt.Sprintf("%d of %d registrations lost", lost, len(uids)))
		}
	}
	value := "alive, fetch exact, 0 lost"
	if len(problems) > 0 {
		value = strings.Join(problems, "; ")
	}
	return row{key: name + "/survives", attack: name, measure: "daemon, background fetch, registrations",
		target: "alive, fetch exact, 0 lost", value: value, ok: len(problems) == 0}
}

// probe is a token-bearing client asking GET /v1/status on a new
// connection every interval: what a client arriving during an attack sees.
type probe struct {
	mu   sync.Mutex
	lat  []time.Duration
	errs int
	last string
	stop chan struct{}
	done chan struct{}
}

func startProbe(d *daemon, every time.Duration) *probe {
	p := &probe{stop: make(chan struct{}), done: make(chan struct{})}
	hc := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}, Timeout: 2 * time.Second}
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
			req, _ := http.NewRequest("GET", d.base+"/v1/status", nil)
			req.Header.Set("Authorization", "Bearer "+d.token)
			t0 := time.Now()
			resp, err := hc.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			el := time.Since(t0)
			p.mu.Lock()
			if err != nil {
				p.errs++
				p.last = err.Error()
				el = 2 * time.Second
			}
			p.lat = append(p.lat, el)
			p.mu.Unlock()
		}
	}()
	return p
}

// end stops the probe and returns its rows: the median and the 95th
// percentile latency, and the failed calls.
func (p *probe) end(name string) []row {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	med, p95 := pctl(p.lat, 0.5), pctl(p.lat, 0.95)
	errNote := fmt.Sprintf("%d of %d", p.errs, len(p.lat))
	if p.errs > 0 {
		errNote += " (" + clip([]byte(p.last), 60) + ")"
	}
	return []row{
		{key: name + "/latency", attack: name, measure: "token client on a new connection: median / p95",
			target: "p95 ≤ 50 ms", value: fmt.Sprintf("%s / %s", msStr(med), msStr(p95)), ok: len(p.lat) > 0 && p95 <= 50*time.Millisecond},
		{key: name + "/failed", attack: name, measure: "token client calls failed (2 s timeout)",
			target: "0", value: errNote, ok: p.errs == 0},
	}
}

func pctl(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func msStr(d time.Duration) string {
	if d >= 10*time.Millisecond {
		return fmt.Sprintf("%.0f ms", d.Seconds()*1000)
	}
	return fmt.Sprintf("%.1f ms", d.Seconds()*1000)
}

func mib(v float64) string { return fmt.Sprintf("%.0f MiB", v) }

// failedRow is the one row of a case that could not run.
func failedRow(name string, err error) []row {
	return []row{{key: name + "/ran", attack: name, measure: "the case ran", target: "yes", value: err.Error(), ok: false}}
}
