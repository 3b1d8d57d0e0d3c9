package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bgbench register|latency|movelatency|restartwait|await|get|records|cpu|rss|run|ratewatch|blackhole [flags]")
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "register":
		err = register(args)
	case "latency":
		err = latency(args)
	case "restartwait":
		err = restartWait(args)
	case "await":
		err = await(args)
	case "get":
		err = get(args)
	case "records":
		err = records(args)
	case "cpu":
		err = cpuCmd(args)
	case "rss":
		err = rssCmd(args)
	case "run":
		err = run(args)
	case "movelatency":
		err = moveLatency(args)
	case "ratewatch":
		err = rateWatch(args)
	case "blackhole":
		err = blackhole(args)
	default:
		err = fmt.Errorf("unknown subcommand %q", cmd)
	}
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		fmt.Fprintf(os.Stderr, "bgbench %s: %v\n", cmd, err)
		os.Exit(1)
	}
}

// exitError exits with its value, the output already printed.
type exitError int

func (e exitError) Error() string { return "exit " + strconv.Itoa(int(e)) }

// ---- API client (standard library only) ----

type api struct {
	dir   string
	mu    sync.Mutex
	hc    *http.Client
	base  string
	token string
}

func newAPI(dir string) *api { return &api{dir: dir} }

// connect (re)reads the endpoint and token; the daemon may have restarted.
func (a *api) connect() error {
	ep, err := os.ReadFile(filepath.Join(a.dir, "endpoint"))
	if err != nil {
		return err
	}
	tok, err := os.ReadFile(filepath.Join(a.dir, "token"))
	if err != nil {
		return err
	}
	e := strings.TrimSpace(string(ep))
	tr := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	base := e
	if sock, ok := strings.CutPrefix(e, "unix:"); ok {
		tr.DialContext = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}
		base = "http://localhost"
	}
	a.mu.Lock()
	if a.hc != nil {
		a.hc.CloseIdleConnections()
	}
	a.hc = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	a.base, a.token = strings.TrimRight(base, "/"), strings.TrimSpace(string(tok))
	a.mu.Unlock()
	return nil
}

type apiError struct {
	status int
	body   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.status, strings.TrimSpace(e.body))
}

func (a *api) do(method, path string, in, out any) error {
	a.mu.Lock()
	hc, base, token := a.hc, a.base, a.token
	a.mu.Unlock()
	if hc == nil {
		if err := a.connect(); err != nil {
			return err
		}
		return a.do(method, path, in, out)
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &apiError{resp.StatusCode, string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type registration struct {
	UID           string `json:"uid"`
	ID            string `json:"id"`
	Downloaded    int64  `json:"downloaded"`
	DownloadTotal int64  `json:"downloadTotal"`
	Result        string `json:"result"`
	FailureReason string `json:"failureReason"`
	State         string `json:"state"`
}

type record struct {
	Index      int    `json:"index"`
	State      string `json:"state"`
	Downloaded int64  `json:"downloaded"`
	Total      int64  `json:"total"`
	Error      string `json:"error"`
	Request    struct {
		URL string `json:"url"`
	} `json:"request"`
	Response *struct {
		Status int    `json:"status"`
		Path   string `json:"path"`
	} `json:"response"`
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return strconv.FormatFloat(d.Seconds()*1000, 'f', 3, 64) }

// ---- subcommands ----

func register(args []string) error {
	fs := flag.NewFlagSet("register", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	n := fs.Int("n", 1, "fetches (without -list)")
	prefix := fs.String("prefix", "f", "id prefix")
	conc := fs.Int("conc", 8, "concurrent registrations")
	dest := fs.String("dest", "", "destination folder")
	list := fs.String("list", "", "file of URLs, one a line")
	per := fs.Int("per", 100, "URLs per fetch with -list")
	conns := fs.Int("connections", 0, `the fetches' "connections" (0: not sent)`)
	fs.Parse(args)
	var groups [][]string
	if *list != "" {
		b, err := os.ReadFile(*list)
		if err != nil {
			return err
		}
		urls := strings.Fields(string(b))
		for i := 0; i < len(urls); i += *per {
			groups = append(groups, urls[i:min(i+*per, len(urls))])
		}
	} else {
		if fs.NArg() == 0 {
			return errors.New("no URL")
		}
		for i := 0; i < *n; i++ {
			groups = append(groups, fs.Args())
		}
	}
	a := newAPI(*dir)
	if err := a.connect(); err != nil {
		return err
	}
	out := make([]string, len(groups))
	errs := make([]error, len(groups))
	sem := make(chan struct{}, max(1, *conc))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body := map[string]any{"id": fmt.Sprintf("%s%d", *prefix, i), "requests": g}
			if *dest != "" {
				body["destination"] = *dest
			}
			if *conns > 0 {
				body["connections"] = *conns
			}
			var reg registration
			if err := a.do("POST", "/v1/fetches", body, &reg); err != nil {
				errs[i] = err
				return
			}
			out[i] = reg.ID + " " + reg.UID
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err // the first is enough
		}
	}
	fmt.Println(strings.Join(out, "\n"))
	return nil
}

func latency(args []string) error {
	fs := flag.NewFlagSet("latency", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	id := fs.String("id", "", "fetch id for GET /v1/fetches/{id}")
	n := fs.Int("n", 2000, "requests per endpoint")
	fs.Parse(args)
	a := newAPI(*dir)
	if err := a.connect(); err != nil {
		return err
	}
	measure := func(path string, out any) ([]time.Duration, error) {
		// Warm up the connection and the daemon's code paths.
		for i := 0; i < 50; i++ {
			if err := a.do("GET", path, nil, out); err != nil {
				return nil, err
			}
		}
		d := make([]time.Duration, 0, *n)
		for i := 0; i < *n; i++ {
			t := time.Now()
			if err := a.do("GET", path, nil, out); err != nil {
				return nil, err
			}
			d = append(d, time.Since(t))
		}
		return d, nil
	}
	var reg registration
	g, err := measure("/v1/fetches/"+url.PathEscape(*id), &reg)
	if err != nil {
		return err
	}
	var ids struct {
		IDs []string `json:"ids"`
	}
	l, err := measure("/v1/fetches", &ids)
	if err != nil {
		return err
	}
	fmt.Printf("get_p50_ms %s\nget_p99_ms %s\nlist_p50_ms %s\nlist_p99_ms %s\nlist_ids %d\n",
		ms(pct(g, .5)), ms(pct(g, .99)), ms(pct(l, .5)), ms(pct(l, .99)), len(ids.IDs))
	return nil
}

// moveLatency calls GET /v1/registrations/{uid} and GET /v1/fetches every
// interval while the fetch uid finishes (from the moment its bytes are all
// in until it has settled: the final sync and the move to its destination)
// and prints the latencies of the calls in that window.
func moveLatency(args []string) error {
	fs := flag.NewFlagSet("movelatency", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	uid := fs.String("uid", "", "the fetch to follow")
	every := fs.Duration("every", 10*time.Millisecond, "poll interval")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after")
	fs.Parse(args)
	a := newAPI(*dir)
	if err := a.connect(); err != nil {
		return err
	}
	// Every call issued once the bytes are all in counts, the one that
	// finds the fetch settled too (it may have waited for the move).
	var window []time.Duration
	inWindow := false
	deadline := time.Now().Add(*timeout)
	for time.Now().Before(deadline) {
		var reg registration
		t := time.Now()
		if err := a.do("GET", "/v1/registrations/"+url.PathEscape(*uid), nil, &reg); err != nil {
			return err
		}
		if inWindow {
			window = append(window, time.Since(t))
		}
		if reg.Result != "" {
			if reg.Result != "success" {
				return fmt.Errorf("the fetch failed: %s", reg.FailureReason)
			}
			fmt.Printf("move_polls %d\nmove_p50_ms %s\nmove_p99_ms %s\nmove_max_ms %s\n",
				len(window), ms(pct(window, .5)), ms(pct(window, .99)), ms(slices.Max(append(window, 0))))
			return nil
		}
		inWindow = inWindow || reg.DownloadTotal > 0 && reg.Downloaded >= reg.DownloadTotal
		t = time.Now()
		var ids struct {
			IDs []string `json:"ids"`
		}
		if err := a.do("GET", "/v1/fetches", nil, &ids); err != nil {
			return err
		}
		if inWindow {
			window = append(window, time.Since(t))
		}
		time.Sleep(*every)
	}
	return errors.New("the fetch did not settle in time")
}

func readUIDs(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var uids []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			uids = append(uids, f[len(f)-1])
		}
	}
	return uids, nil
}

func restartWait(args []string) error {
	fs := flag.NewFlagSet("restartwait", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	t0n := fs.Int64("t0", 0, "restart start, unix nanoseconds")
	idsFile := fs.String("ids", "", `file of "id uid" lines`)
	timeout := fs.Duration("timeout", 30*time.Second, "give up after")
	fs.Parse(args)
	t0 := time.Unix(0, *t0n)
	uids, err := readUIDs(*idsFile)
	if err != nil {
		return err
	}
	deadline := t0.Add(*timeout)
	a := newAPI(*dir)
	for {
		if err := a.connect(); err == nil {
			if err := a.do("GET", "/v1/fetches", nil, nil); err == nil {
				break
			}
		}
		if time.Now().After(deadline) {
			return errors.New("the daemon did not come up")
		}
		time.Sleep(time.Millisecond)
	}
	tEndpoint := time.Since(t0)
	// Per registration: when it first reported state running, when its
	// byte count first grew, and when it first did either ("transferring"
	// in the sense of the benchmark).
	first := map[string]int64{}
	running := map[string]time.Duration{}
	moving := map[string]time.Duration{}
	either := map[string]time.Duration{}
	for len(moving) < len(uids) || len(running) < len(uids) {
		if time.Now().After(deadline) {
			if len(either) == len(uids) {
				break // byte counts of some may not have moved: report what we have
			}
			return fmt.Errorf("after %v: %d/%d running, %d/%d moving", *timeout, len(running), len(uids), len(moving), len(uids))
		}
		for _, uid := range uids {
			_, ok1 := moving[uid]
			_, ok2 := running[uid]
			if ok1 && ok2 {
				continue
			}
			var reg registration
			if err := a.do("GET", "/v1/registrations/"+uid, nil, &reg); err != nil {
				return err
			}
			now := time.Since(t0)
			if reg.State == "running" && !ok2 {
				running[uid] = now
			}
			if v, ok := first[uid]; !ok {
				first[uid] = reg.Downloaded
			} else if !ok1 && reg.Downloaded > v {
				moving[uid] = now
			}
			if _, ok := either[uid]; !ok && (reg.State == "running" || reg.Downloaded > first[uid]) {
				either[uid] = now
			}
		}
	}
	maxOf := func(m map[string]time.Duration) time.Duration {
		var x time.Duration
		for _, v := range m {
			x = max(x, v)
		}
		return x
	}
	fmt.Printf("endpoint_s %.3f\nall_transferring_s %.3f\nall_running_s %.3f\nall_moving_s %.3f\n",
		tEndpoint.Seconds(), maxOf(either).Seconds(), maxOf(running).Seconds(), maxOf(moving).Seconds())
	return nil
}

func await(args []string) error {
	fs := flag.NewFlagSet("await", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after")
	fs.Parse(args)
	uids := fs.Args()
	a := newAPI(*dir)
	deadline := time.Now().Add(*timeout)
	done := map[string]registration{}
	for len(done) < len(uids) {
		if time.Now().After(deadline) {
			for _, uid := range uids {
				if _, ok := done[uid]; !ok {
					fmt.Printf("%s unsettled\n", uid)
				}
			}
			return exitError(1)
		}
		for _, uid := range uids {
			if _, ok := done[uid]; ok {
				continue
			}
			var reg registration
			err := a.do("GET", "/v1/registrations/"+uid, nil, &reg)
			var ae *apiError
			if errors.As(err, &ae) {
				if ae.status == http.StatusNotFound {
					fmt.Printf("%s lost\n", uid)
					return exitError(1)
				}
				return err
			}
			if err != nil {
				// The daemon is restarting: reconnect and retry.
				a.connect()
				time.Sleep(50 * time.Millisecond)
				break
			}
			if reg.State == "settled" {
				done[uid] = reg
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	code := 0
	for _, uid := range uids {
		r := done[uid]
		reason := r.FailureReason
		if reason == "" {
			reason = "-"
		}
		fmt.Printf("%s %s %s %d\n", uid, r.Result, reason, r.Downloaded)
		if r.Result != "success" {
			code = 1
		}
	}
	if code != 0 {
		return exitError(code)
	}
	return nil
}

func get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	fs.Parse(args)
	a := newAPI(*dir)
	var reg registration
	if err := a.do("GET", "/v1/registrations/"+fs.Arg(0), nil, &reg); err != nil {
		return err
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	fmt.Printf("%s %d %s %s\n", reg.State, reg.Downloaded, dash(reg.Result), dash(reg.FailureReason))
	return nil
}

func records(args []string) error {
	fs := flag.NewFlagSet("records", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	fs.Parse(args)
	a := newAPI(*dir)
	var out struct {
		Records []record `json:"records"`
	}
	if err := a.do("GET", "/v1/registrations/"+fs.Arg(0)+"/records", nil, &out); err != nil {
		return err
	}
	for _, r := range out.Records {
		p := "-"
		if r.Response != nil && r.Response.Path != "" {
			p = r.Response.Path
		}
		fmt.Printf("%d %s %d %d %s\n", r.Index, r.State, r.Downloaded, r.Total, p)
	}
	for _, r := range out.Records {
		if r.Error != "" {
			fmt.Printf("%d error: %s\n", r.Index, r.Error)
		}
	}
	return nil
}

// ---- processes ----

var clockTicks = 100.0 // USER_HZ on Linux

func procCPU(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("bad stat")
	}
	f := strings.Fields(s[i+2:])
	// fields after ")": state(0) … utime(11) stime(12)
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / clockTicks, nil
}

func cpuCmd(args []string) error {
	fs := flag.NewFlagSet("cpu", flag.ExitOnError)
	pid := fs.Int("pid", 0, "process")
	fs.Parse(args)
	c, err := procCPU(*pid)
	if err != nil {
		return err
	}
	fmt.Printf("%.2f\n", c)
	return nil
}

func rssCmd(args []string) error {
	fs := flag.NewFlagSet("rss", flag.ExitOnError)
	pid := fs.Int("pid", 0, "process")
	fs.Parse(args)
	fh, err := os.Open(fmt.Sprintf("/proc/%d/status", *pid))
	if err != nil {
		return err
	}
	defer fh.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if f := strings.Fields(v); ok && len(f) > 0 {
			vals[k] = f[0]
		}
	}
	fmt.Printf("%s %s %s %s\n", vals["VmRSS"], vals["VmHWM"], vals["RssAnon"], vals["RssFile"])
	return nil
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	cpuPid := fs.Int("cpu-pid", 0, "also count this process's CPU during the run")
	fs.Parse(args)
	if fs.NArg() == 0 {
		return errors.New("no command")
	}
	var before float64
	if *cpuPid > 0 {
		var err error
		if before, err = procCPU(*cpuPid); err != nil {
			return err
		}
	}
	cmd := exec.Command(fs.Arg(0), fs.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	t := time.Now()
	err := cmd.Run()
	wall := time.Since(t)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
	if *cpuPid > 0 {
		after, err := procCPU(*cpuPid)
		if err != nil {
			return err
		}
		cpu += after - before
	}
	fmt.Printf("%.3f %.3f\n", wall.Seconds(), cpu)
	return nil
}
