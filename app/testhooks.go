package app

// The desktop tests' hooks, each off unless its environment variable is
// set: the frame probe (BenchmarkHistory), the UI map (where the widgets
// are, for clicks with xdotool) and a CPU profile of the whole run.

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"fyne.io/fyne/v2"

	"github.com/bgfetch/bgfetch/app/ui"
)

// frameStatsEnv names a file to which the desktop app writes, once a
// second, how long its UI goroutine was kept from running (for
// BenchmarkHistory): a probe is queued with fyne.Do every probeEvery and
// the time until it runs is how long the frame or event being handled
// took. Each line is "UNIX_MS MAX_MS PROBES" for the second before.
const frameStatsEnv = "BGFETCH_FRAME_STATS"

const probeEvery = 5 * time.Millisecond

// startFrameStats runs the probe when frameStatsEnv is set, until stop.
func startFrameStats(stop <-chan struct{}) {
	path := os.Getenv(frameStatsEnv)
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	go func() {
		defer f.Close()
		var worst time.Duration
		probes := 0
		second := time.Now()
		t := time.NewTicker(probeEvery)
		defer t.Stop()
		done := make(chan time.Duration, 1)
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				fyne.Do(func() { done <- time.Since(now) })
				select {
				case d := <-done:
					worst = max(worst, d)
					probes++
				case <-stop:
					return
				}
				if time.Since(second) >= time.Second {
					fmt.Fprintf(f, "%d %.1f %d\n", time.Now().UnixMilli(), float64(worst.Microseconds())/1000, probes)
					worst, probes, second = 0, 0, time.Now()
				}
			}
		}
	}()
}

// startUIMap writes the UI map (ui.UIMapEnv) four times a second, until
// stop; nothing when m is nil.
func startUIMap(m *ui.UIMap, stop <-chan struct{}) {
	path := os.Getenv(ui.UIMapEnv)
	if m == nil || path == "" {
		return
	}
	go func() {
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.Do(func() { _ = m.Write(path) })
			}
		}
	}()
}

// cpuProfileEnv names a file for a Go CPU profile of the desktop app from
// start to quit (go tool pprof BINARY FILE): where a slow frame's time
// goes. The GL drawing shows as cgo calls.
const cpuProfileEnv = "BGFETCH_CPU_PROFILE"

// startCPUProfile starts the profile when cpuProfileEnv is set; the
// returned func stops it (a no-op otherwise).
func startCPUProfile() (stop func()) {
	path := os.Getenv(cpuProfileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// heapProfileEnv names a file for a Go heap profile of the desktop app,
// written at quit (go tool pprof -sample_index=inuse_space FILE): what
// the memory benchmarks' megabytes are made of, as far as Go holds them.
const heapProfileEnv = "BGFETCH_HEAP_PROFILE"

// writeHeapProfile writes the profile when heapProfileEnv is set.
func writeHeapProfile() {
	path := os.Getenv(heapProfileEnv)
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	runtime.GC()
	pprof.WriteHeapProfile(f)
}
