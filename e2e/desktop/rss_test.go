package desktop

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/e2e/desktopenv"
)

// rssKB reads a process's resident set size.
func rssKB(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// steadyRSS samples a process for a while after it settled and returns
// the largest RSS seen, in MiB.
func steadyRSS(tb testing.TB, pid int) float64 {
	tb.Helper()
	time.Sleep(2 * time.Second) // let start-up garbage be collected and the first frames drawn
	var peak int64
	for i := 0; i < 15; i++ {
		kb, err := rssKB(pid)
		if err != nil {
			tb.Fatal(err)
		}
		peak = max(peak, kb)
		time.Sleep(200 * time.Millisecond)
	}
	if os.Getenv("BGFETCH_BENCH_SMAPS") != "" { // where the memory goes
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid)); err == nil {
			_ = os.WriteFile(filepath.Join(outDir, fmt.Sprintf("smaps-%d.txt", pid)), data, 0o644)
		}
	}
	return float64(peak) / 1024
}

// BenchmarkRSS compares bgfetch's resident memory — window open, 100
// fetches listed (16 transferring, the rest queued), tray and notifications
// up, engine, store and API running — with an empty Fyne window of the
// same size, in the same run and on the same X server. Target: ≤ 1.2×.
//
// The baseline is a default Fyne build. bgfetch is built with the
// Makefile's BUILD_TAGS (no_emoji: no bundled colour emoji font), so the
// empty window is measured built that way too, and both ratios reported.
// A third reference is the empty window with one rectangle drawn: the
// first fragment shader llvmpipe compiles costs about 10 MiB of libLLVM's
// pages, which any window that draws anything pays and the empty one
// does not (testdata/emptywindow).
//
//	make bench-rss   (go test -run '^$' -bench RSS -benchtime 1x ./e2e/desktop)
//
// To see where memory goes: BGFETCH_BENCH_FETCHES=N lists N fetches
// instead of 100, BGFETCH_BENCH_CONNECTIONS=N lets N transfer at once
// (default: the setting, 16), BGFETCH_BENCH_HEADLESS=1 measures the same load with no
// UI (engine, store and API alone), BGFETCH_BENCH_SMAPS=1 saves each
// process's /proc/PID/smaps to e2e/out/.
func BenchmarkRSS(b *testing.B) {
	env := desktopenv.Start(b)
	plain := buildEmptyWindow(b, "")
	tagged := buildEmptyWindow(b, os.Getenv("BUILD_TAGS"))
	emptyRSS := func(bin string, args ...string) float64 { return emptyWindowRSS(b, env, bin, args...) }

	fetches := 100
	if n, err := strconv.Atoi(os.Getenv("BGFETCH_BENCH_FETCHES")); err == nil {
		fetches = n // to see what the rows cost
	}
	for i := 0; i < b.N; i++ {
		emptyMB := emptyRSS(plain)
		taggedMB := emptyRSS(tagged)
		drawnMB := emptyRSS(plain, "drawn")

		srv := newFileServer(b)
		var args []string
		headless := os.Getenv("BGFETCH_BENCH_HEADLESS") != ""
		if headless {
			args = append(args, "--headless") // to see what the UI costs
		}
		if n := os.Getenv("BGFETCH_BENCH_CONNECTIONS"); n != "" {
			args = append(args, "--max-connections", n) // to see what the transfers cost
		}
		a := startAppWith(b, env, appOptions{env: benchEnv}, args...)
		if !headless {
			a.window()
		}
		for j := 0; j < fetches; j++ {
			a.fetch(fmt.Sprintf("bench-%03d", j), fmt.Sprintf("Episode %d", j+1),
				[]string{srv.URL + fmt.Sprintf("/hold/episode-%d.mp3", j)}, nil)
		}
		waitFor(b, 30*time.Second, "the active fetches", func() bool {
			var ids struct {
				IDs []string `json:"ids"`
			}
			a.api("GET", "/v1/fetches", nil, &ids)
			return len(ids.IDs) == fetches
		})
		appMB := steadyRSS(b, a.cmd.Process.Pid)
		a.screenshot("rss-100-fetches")

		ratio := appMB / emptyMB
		b.ReportMetric(emptyMB, "empty-window-MiB")
		b.ReportMetric(taggedMB, "empty-window-same-tags-MiB")
		b.ReportMetric(drawnMB, "drawn-window-MiB")
		b.ReportMetric(appMB, "bgfetch-100-fetches-MiB")
		b.ReportMetric(ratio, "ratio")
		b.ReportMetric(appMB/taggedMB, "ratio-same-tags")
		b.Logf("RSS: empty Fyne window %.1f MiB (%.1f MiB built with tags %q; %.1f MiB with one rectangle drawn), bgfetch with %d fetches listed %.1f MiB: ratio %.2f× (target ≤ 1.2×), %.2f× against the same-tags window, %.2f× against the drawn one",
			emptyMB, taggedMB, os.Getenv("BUILD_TAGS"), drawnMB, fetches, appMB, ratio, appMB/taggedMB, appMB/drawnMB)
		srv.Release()
	}
}

// buildEmptyWindow builds the baseline of the memory benchmarks with
// exactly the build tags given.
func buildEmptyWindow(b *testing.B, tags string) string {
	b.Helper()
	root, _ := filepath.Abs("../..")
	out := filepath.Join(b.TempDir(), "emptywindow")
	build := exec.Command("go", "build", "-tags="+tags, "-o", out, "./e2e/desktop/testdata/emptywindow")
	build.Dir = root
	// GOFLAGS may carry the Makefile's tags; the baseline gets exactly
	// the ones asked for.
	build.Env = append(os.Environ(), "GOFLAGS=-mod=readonly -buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the empty window: %v\n%s", err, out)
	}
	return out
}

// emptyWindowRSS runs the empty window on env (with args: "drawn") and
// returns its steady RSS.
func emptyWindowRSS(b *testing.B, env *desktopenv.Env, bin string, args ...string) float64 {
	b.Helper()
	cmd := env.Command(context.Background(), bin, args...)
	cmd.Env = append(cmd.Env, "HOME="+b.TempDir(), "FYNE_SCALE=1", "LANG=en_US.UTF-8")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	waitFor(b, 30*time.Second, "the empty window", func() bool {
		out, err := env.Command(context.Background(), "xdotool", "search", "--onlyvisible", "--name", "^emptywindow$").Output()
		return err == nil && len(strings.TrimSpace(string(out))) > 0
	})
	return steadyRSS(b, cmd.Process.Pid)
}

// benchEnv runs the app as a person does: without the tests' UI map (a
// JSON file written four times a second, and a name for every row bound).
var benchEnv = []string{"BGFETCH_UI_MAP="}
