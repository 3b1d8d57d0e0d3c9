package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/icons"
)

// caseIconBomb: the desktop app's icon loader (icons.Loader, measured in
// this process) given 4 fetch icons at once that are 4096x4096 16-bit
// PNGs: a few KiB each on the wire, 128 MiB each decoded.
func caseIconBomb(e *env) []row {
	const name, n = "icon-bomb", 4
	e.fs.iconBytes() // made before measuring: it is the server's memory
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	peak := base
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	}()
	l := &icons.Loader{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	t0 := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := l.Load(context.Background(), fmt.Sprintf("%s/icon/%d.png", e.fs.url, i))
			if err != nil {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	took := time.Since(t0)
	close(stop)
	<-sampled
	rise := float64(peak-base) / (1 << 20)
	return []row{
		{key: name + "/heap", attack: name, measure: "heap rise loading 4 × 4096² 16-bit PNG icons at once", target: "≤ 64 MiB",
			value: fmt.Sprintf("%.0f MiB", rise), ok: rise <= 64},
		{key: name + "/refused", attack: name, measure: "icons refused (pixel/bit-depth limit)", target: "4 of 4",
			value: fmt.Sprintf("%d of %d in %.1f s", refused, n, took.Seconds()), ok: refused == n},
	}
}
