package desktop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/e2e/desktopenv"
	"github.com/bgfetch/bgfetch/internal/memtrim"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// BenchmarkHistory: the window over 10,000 kept registrations (the
// history: settled fetches of three apps, one in ten failed). The history
// is made by a headless bgfetch, which then stops; the desktop app starts
// on the same data dir and lists it all. Measured in the same run as an
// empty Fyne window of the same size: RSS (target ≤ 1.5× the empty
// window; the headless daemon's on the same history is reported beside
// it), sampled once start-up is over (internal/memtrim.StartupSpell), and
// how long the UI goroutine was kept from running (frame and event
// handling, app/testhooks.go) while the list is scrolled with
// the mouse wheel and a search is typed into the search field, both with
// xdotool (target: under 100 ms per frame).
//
//	make bench-history   (BGFETCH_BENCH_HISTORY=N for another size)
func BenchmarkHistory(b *testing.B) {
	n := 10_000
	if v, err := strconv.Atoi(os.Getenv("BGFETCH_BENCH_HISTORY")); err == nil {
		n = v
	}
	env := desktopenv.Start(b)
	srv := newFileServer(b)
	srv.PutFile("/small.bin", testserver.File{Body: bytes.Repeat([]byte("x"), 200), ETag: `"small"`})
	home := b.TempDir()
	start := time.Now()
	fillHistory(b, env, srv, home, n)
	b.Logf("history of %d registrations made in %v", n, time.Since(start).Round(time.Second))
	emptyMB := emptyWindowRSS(b, env, buildEmptyWindow(b, ""))
	h := startAppWith(b, env, appOptions{home: home, env: benchEnv}, "--headless")
	daemonMB := rssAfterStartup(b, h)
	h.quit()

	for i := 0; i < b.N; i++ {
		stats := filepath.Join(b.TempDir(), "frames.txt")
		a := startAppWith(b, env, appOptions{home: home, env: append(benchEnv, "BGFETCH_FRAME_STATS="+stats)})
		win := a.window()
		waitFor(b, 60*time.Second, "the window to list the history", func() bool {
			return strings.Contains(a.logText(), fmt.Sprintf("listed=%d ", n))
		})
		appMB := rssAfterStartup(b, a)
		a.screenshot("history-10000")

		r := a.geometry(win)
		scroll := a.framesDuring(stats, func() {
			a.xdotool("mousemove", "--sync", strconv.Itoa(r.Min.X+r.Dx()/2), strconv.Itoa(r.Min.Y+r.Dy()/2))
			for _, button := range []string{"5", "4"} { // wheel down, then up
				if _, err := a.xdotool("click", "--repeat", "150", "--delay", "15", button); err != nil {
					b.Fatalf("xdotool wheel: %v", err)
				}
			}
		})
		search := a.framesDuring(stats, func() {
			a.xdotool("mousemove", "--sync", strconv.Itoa(r.Min.X+r.Dx()/2), strconv.Itoa(r.Min.Y+70))
			a.xdotool("click", "1")
			for _, text := range []string{"episode 9999", "failed", "org.example"} {
				if _, err := a.xdotool("type", "--delay", "60", text); err != nil {
					b.Fatalf("xdotool type: %v", err)
				}
				a.xdotool("key", "--delay", "30", "--repeat", strconv.Itoa(len(text)), "BackSpace")
			}
			a.xdotool("type", "--delay", "60", "episode 42")
		})
		a.screenshot("history-10000-search") // not "history-search": TestHistoryAndSearch takes that one for docs/
		b.ReportMetric(emptyMB, "empty-window-MiB")
		b.ReportMetric(appMB, "bgfetch-history-MiB")
		b.ReportMetric(daemonMB, "headless-history-MiB")
		b.ReportMetric(appMB/emptyMB, "ratio")
		b.ReportMetric(scroll.max, "scroll-max-ms")
		b.ReportMetric(scroll.p95, "scroll-p95-ms")
		b.ReportMetric(search.max, "search-max-ms")
		b.ReportMetric(search.p95, "search-p95-ms")
		b.ReportMetric(scroll.steal, "scroll-steal-s")
		b.Logf("RSS: empty Fyne window %.1f MiB, bgfetch with %d in history %.1f MiB: ratio %.2f× (target ≤ 1.5×), headless daemon %.1f MiB; "+
			"UI goroutine held up while scrolling: max %.1f ms, p95 of the seconds' maxima %.1f ms (%d probes); "+
			"while typing a search: max %.1f ms, p95 %.1f ms (%d probes); target < 100 ms",
			emptyMB, n, appMB, appMB/emptyMB, daemonMB, scroll.max, scroll.p95, scroll.probes, search.max, search.p95, search.probes)
		load, _ := os.ReadFile("/proc/loadavg")
		b.Logf("each second's worst, scrolling: %v; searching: %v; load average %s; CPU the host took (steal) while scrolling %.2f s, while searching %.2f s",
			scroll.seconds, search.seconds, strings.TrimSpace(string(load)), scroll.steal, search.steal)
		if scroll.probes == 0 || search.probes == 0 {
			b.Fatalf("no frame probes: %+v %+v", scroll, search)
		}
		a.quit()
	}
}

// fillHistory makes n settled registrations in home's data dir with a
// headless bgfetch: three apps, titles "Episode N", one in ten a 404.
func fillHistory(b *testing.B, env *desktopenv.Env, srv *testserver.Server, home string, n int) {
	b.Helper()
	h := startAppWith(b, env, appOptions{home: home, env: benchEnv}, "--headless")
	client := apiClient(h.endpoint)
	apps := []string{"com.example.podcasts", "org.example.maps", "net.example.video"}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				url := fmt.Sprintf("%s/small.bin?n=%d", srv.URL, i)
				if i%10 == 9 {
					url = srv.URL + "/status/404"
				}
				body, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("h-%05d", i), "title": fmt.Sprintf("Episode %d", i),
					"requests": []string{url}})
				req, _ := http.NewRequest("POST", h.base()+"/v1/fetches", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+h.token)
				req.Header.Set("Bgfetch-App", apps[i%len(apps)])
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("POST %d: %s", i, resp.Status)
					}
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		b.Fatal(err)
	default:
	}
	waitFor(b, 10*time.Minute, "the history to settle", func() bool {
		for _, app := range apps {
			var ids struct {
				IDs []string `json:"ids"`
			}
			req, _ := http.NewRequest("GET", h.base()+"/v1/fetches", nil)
			req.Header.Set("Authorization", "Bearer "+h.token)
			req.Header.Set("Bgfetch-App", app)
			resp, err := client.Do(req)
			if err != nil {
				return false
			}
			json.NewDecoder(resp.Body).Decode(&ids)
			resp.Body.Close()
			if len(ids.IDs) > 0 {
				return false
			}
		}
		return true
	})
	h.quit()
}

// base is the URL the API is reached at (http://localhost over a socket).
func (a *app) base() string {
	if strings.HasPrefix(a.endpoint, "unix:") {
		return "http://localhost"
	}
	return a.endpoint
}

// apiClient reaches an endpoint file's address.
func apiClient(endpoint string) *http.Client {
	sock, ok := strings.CutPrefix(endpoint, "unix:")
	if !ok {
		return http.DefaultClient
	}
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32,
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}
}

// quit stops bgfetch with SIGINT (Fyne's and the CLI's clean shutdown)
// and waits for it.
func (a *app) quit() {
	a.t.Helper()
	_ = a.cmd.Process.Signal(os.Interrupt)
	select {
	case <-a.exited:
	case <-time.After(60 * time.Second):
		a.t.Fatalf("bgfetch did not stop:\n%s", a.logText())
	}
}

type frameStats struct {
	max, p95 float64 // ms: the worst, and the 95th percentile of the per-second worsts
	probes   int
	seconds  []float64 // each second's worst, in order
	steal    float64   // s of CPU the host took from this VM meanwhile (/proc/stat)
}

// stealSeconds is the CPU time the hypervisor has taken from this
// machine since boot (/proc/stat's steal column; 0 where there is none):
// on these VMs it comes in spells that slow everything, our frames
// included, so the benchmark reports it beside them.
func stealSeconds() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	ticks, err := strconv.ParseFloat(f[8], 64)
	if err != nil {
		return 0
	}
	return ticks / 100 // USER_HZ, 100 on Linux
}

// framesDuring runs act and returns the frame probe's figures for the
// seconds it took (the stats file of app/framestats.go).
func (a *app) framesDuring(path string, act func()) frameStats {
	a.t.Helper()
	from, steal := time.Now().UnixMilli(), stealSeconds()
	act()
	time.Sleep(1500 * time.Millisecond) // the last second's line
	to := time.Now().UnixMilli()
	var st frameStats
	st.steal = stealSeconds() - steal
	f, err := os.Open(path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer f.Close()
	var worsts []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var at int64
		var worst float64
		var probes int
		if _, err := fmt.Sscan(sc.Text(), &at, &worst, &probes); err != nil || at < from || at > to+1000 {
			continue
		}
		worsts = append(worsts, worst)
		st.seconds = append(st.seconds, worst)
		st.max = max(st.max, worst)
		st.probes += probes
	}
	if len(worsts) > 0 {
		worsts = append([]float64(nil), worsts...)
		sort.Float64s(worsts)
		st.p95 = worsts[min(len(worsts)-1, len(worsts)*95/100)]
	}
	return st
}

// settle waits until a process's RSS stopped falling (two readings a
// second apart within 1 MiB, after the peak of a start-up that loads a
// long history), at most 30 s.
// rssAfterStartup waits until the load of the history is over and
// start-up's memory was handed back (memtrim.StartupSpell after the
// start, and a trim's second), then samples a's RSS (steadyRSS).
func rssAfterStartup(b *testing.B, a *app) float64 {
	b.Helper()
	settle(b, a.cmd.Process.Pid)
	time.Sleep(time.Until(a.started.Add(memtrim.StartupSpell + memtrim.Quiet)))
	return steadyRSS(b, a.cmd.Process.Pid)
}

func settle(b *testing.B, pid int) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := int64(-1 << 40)
	for time.Now().Before(deadline) {
		time.Sleep(time.Second)
		kb, err := rssKB(pid)
		if err != nil {
			b.Fatal(err)
		}
		if d := kb - last; d < 1024 && d > -1024 {
			return
		}
		last = kb
	}
}
