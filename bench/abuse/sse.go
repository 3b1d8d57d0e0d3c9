package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// fanoutRun is one measurement: subscribers streams of an app, then
// fetches registrations each aborted at once.
type fanoutRun struct {
	wall, cpu float64
	lost      int // subscribers that missed an abort event
	err       error
}

func runFanout(e *env, subscribers, fetches int) fanoutRun {
	name := fmt.Sprintf("sse-fanout-%d", subscribers)
	d, err := e.start(name, nil)
	if err != nil {
		return fanoutRun{err: err}
	}
	defer d.stop()
	app := "abuse.sse"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 8}
	counts := make([]atomic.Int64, subscribers)
	var ready sync.WaitGroup
	for i := range subscribers {
		ready.Add(1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", d.base+"/v1/events", nil)
			req.Header.Set("Authorization", "Bearer "+d.token)
			req.Header.Set("Bgfetch-App", app)
			resp, err := tr.RoundTrip(req)
			if err != nil {
				ready.Done()
				return
			}
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 4<<20)
			first := true
			for sc.Scan() {
				line := sc.Bytes()
				if first && bytes.HasPrefix(line, []byte("id:")) {
					first = false
					ready.Done()
				}
				if bytes.Equal(line, []byte("event: backgroundfetchabort")) {
					counts[i].Add(1)
				}
			}
			if first {
				ready.Done()
			}
		}()
	}
	ready.Wait()
	cpu0, t0 := cpuSeconds(d.pid), time.Now()
	var wg sync.WaitGroup
	next := atomic.Int64{}
	var regErr atomic.Value
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(fetches) {
					return
				}
				reg, err := d.fetch(map[string]any{"id": fmt.Sprintf("f%d", i), "requests": e.fs.url + "/hold/f"}, "Bgfetch-App", app)
				if err == nil {
					_, _, err = d.call("POST", "/v1/registrations/"+reg.UID+"/abort", nil, "Bgfetch-App", app)
				}
				if err != nil {
					regErr.Store(err)
				}
			}
		}()
	}
	wg.Wait()
	all := func() bool {
		for i := range counts {
			if counts[i].Load() < int64(fetches) {
				return false
			}
		}
		return true
	}
	waitFor(120*time.Second, all)
	run := fanoutRun{wall: time.Since(t0).Seconds(), cpu: cpuSeconds(d.pid) - cpu0}
	for i := range counts {
		if counts[i].Load() != int64(fetches) {
			run.lost++
		}
	}
	if err, _ := regErr.Load().(error); err != nil {
		run.err = err
	}
	return run
}

// caseSSEFanout: 1,000 registrations and aborts seen by 1, then by 500
// subscribers of the app; the median of 5 runs of each, alternating. The
// ratio is of CPU seconds measured on a shared machine: with 3 runs it
// read 1.5-1.8x for the same code in one day, with 5 it moves less.
func caseSSEFanout(e *env) []row {
	const name, fetches, many, runs = "sse-fanout", 1000, 500, 5
	var ones, lotss []fanoutRun
	lost := 0
	for range runs {
		one := runFanout(e, 1, fetches)
		if one.err != nil {
			return failedRow(name, one.err)
		}
		lots := runFanout(e, many, fetches)
		if lots.err != nil {
			return failedRow(name, lots.err)
		}
		ones, lotss = append(ones, one), append(lotss, lots)
		lost = max(lost, lots.lost, one.lost)
	}
	one, lots := medianRun(ones), medianRun(lotss)
	tr, cr := lots.wall/one.wall, lots.cpu/max(one.cpu, 0.01)
	return []row{
		{key: name + "/one", attack: name, measure: fmt.Sprintf("1 subscriber: time, daemon CPU (median of %d)", runs), target: "–",
			value: fmt.Sprintf("%.1f s, %.1f s", one.wall, one.cpu), ok: true},
		{key: name + "/many", attack: name, measure: fmt.Sprintf("%d subscribers: time, daemon CPU (median of %d)", many, runs), target: "–",
			value: fmt.Sprintf("%.1f s, %.1f s", lots.wall, lots.cpu), ok: true},
		{key: name + "/ratio", attack: name, measure: fmt.Sprintf("%d against 1: time, CPU", many), target: "≤ 2×, ≤ 2×",
			value: fmt.Sprintf("%.1f×, %.1f×", tr, cr), ok: tr <= 2 && cr <= 2},
		{key: name + "/lost", attack: name, measure: "subscribers that missed an abort event (worst run)", target: "0",
			value: fmt.Sprintf("%d of %d", lost, many), ok: lost == 0},
	}
}

// medianRun has the median wall time and the median CPU of runs (each
// taken on its own).
func medianRun(runs []fanoutRun) fanoutRun {
	walls, cpus := make([]float64, len(runs)), make([]float64, len(runs))
	for i, r := range runs {
		walls[i], cpus[i] = r.wall, r.cpu
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return fanoutRun{wall: walls[len(walls)/2], cpu: cpus[len(cpus)/2]}
}
