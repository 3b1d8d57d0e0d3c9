package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// fdLimit is the file descriptor limit of every daemon the suite starts
// (soft and hard: Go raises the soft limit to the hard one at start).
const fdLimit = 1024

// daemon is one running `bgfetch serve --headless`.
type daemon struct {
	dir     string
	logPath string
	base    string // http://127.0.0.1:PORT
	addr    string // 127.0.0.1:PORT
	token   string
	pid     int
	cmd     *exec.Cmd
	exited  chan struct{}
	hc      *http.Client
}

// startDaemon runs bin on a new data dir under work, logging to
// work/NAME.log; extra are more serve flags, env more environment.
func startDaemon(bin, work, name string, extra []string, env ...string) (*daemon, error) {
	dir := filepath.Join(work, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	d := &daemon{dir: dir, logPath: filepath.Join(work, name+".log"), exited: make(chan struct{})}
	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := append([]string{"-c", `ulimit -n ` + strconv.Itoa(fdLimit) + ` && exec "$0" "$@"`, bin,
		"serve", "--headless", "--data-dir", dir, "--listen", "tcp:127.0.0.1:0"}, extra...)
	d.cmd = exec.Command("/bin/sh", args...)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	d.cmd.Env = append(os.Environ(), env...)
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	d.pid = d.cmd.Process.Pid
	go func() { d.cmd.Wait(); close(d.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ep, err := os.ReadFile(filepath.Join(dir, "endpoint"))
		if err == nil && len(bytes.TrimSpace(ep)) > 0 {
			d.base = strings.TrimSpace(string(ep))
			d.addr = strings.TrimPrefix(d.base, "http://")
			break
		}
		if !d.alive() || time.Now().After(deadline) {
			d.kill()
			return nil, fmt.Errorf("the daemon did not start: %s", tail(d.logPath, 5))
		}
		time.Sleep(10 * time.Millisecond)
	}
	tok, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		return nil, err
	}
	d.token = strings.TrimSpace(string(tok))
	d.hc = &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}, Timeout: 60 * time.Second}
	return d, nil
}

func (d *daemon) alive() bool {
	select {
	case <-d.exited:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM and waits (SIGKILL after 20 s).
func (d *daemon) stop() {
	if !d.alive() {
		return
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(20 * time.Second):
		d.kill()
	}
}

func (d *daemon) kill() {
	d.cmd.Process.Kill()
	<-d.exited
}

// call sends one API request with the token; body is nil, a []byte, a
// string or a value to encode; hdr are header pairs.
func (d *daemon) call(method, path string, body any, hdr ...string) (int, []byte, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, d.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+d.token)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// registration is what the suite reads of a registration object.
type registration struct {
	UID              string `json:"uid"`
	ID               string `json:"id"`
	Result           string `json:"result"`
	FailureReason    string `json:"failureReason"`
	State            string `json:"state"`
	RecordsAvailable bool   `json:"recordsAvailable"`
}

// fetch registers body (a fetch() object) and returns the registration.
func (d *daemon) fetch(body any, hdr ...string) (registration, error) {
	status, b, err := d.call("POST", "/v1/fetches", body, hdr...)
	if err != nil {
		return registration{}, err
	}
	if status != http.StatusCreated {
		return registration{}, fmt.Errorf("POST /v1/fetches: %d %s", status, clip(b, 200))
	}
	var reg registration
	return reg, json.Unmarshal(b, &reg)
}

// registration reads one registration.
func (d *daemon) registration(uid string, hdr ...string) (registration, error) {
	status, b, err := d.call("GET", "/v1/registrations/"+uid, nil, hdr...)
	if err != nil {
		return registration{}, err
	}
	if status != http.StatusOK {
		return registration{}, fmt.Errorf("GET registration %s: %d %s", uid, status, clip(b, 200))
	}
	var reg registration
	return reg, json.Unmarshal(b, &reg)
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// settled waits until uid has settled.
func (d *daemon) settled(uid string, timeout time.Duration, hdr ...string) (registration, error) {
	var reg registration
	var err error
	ok := waitFor(timeout, func() bool {
		reg, err = d.registration(uid, hdr...)
		return err == nil && reg.Result != ""
	})
	if !ok {
		if err == nil {
			err = fmt.Errorf("%s did not settle within %s (state %s)", uid, timeout, reg.State)
		}
		return reg, err
	}
	return reg, nil
}

// logText is the daemon's whole log so far.
func (d *daemon) logText() string {
	b, _ := os.ReadFile(d.logPath)
	return string(b)
}

// ---- /proc ----

// rssMiB is the resident set of pid in MiB (0 when it is gone).
func rssMiB(pid int) float64 {
	kib, _ := procStatus(pid, "VmRSS")
	return float64(kib) / 1024
}

func procStatus(pid int, key string) (int64, error) {
	fh, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if f := strings.Fields(v); ok && k == key && len(f) > 0 {
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, errors.New(key + " not found")
}

// cpuSeconds is the user+system CPU time pid used so far.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (u + st) / 100 // USER_HZ
}

// openFDs counts the file descriptors pid holds.
func openFDs(pid int) int {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents)
}

// sampler follows a process's RSS every 20 ms and keeps the peak.
type sampler struct {
	pid  int
	mu   sync.Mutex
	peak float64
	stop chan struct{}
	done chan struct{}
}

func sample(pid int) *sampler {
	s := &sampler{pid: pid, peak: rssMiB(pid), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				v := rssMiB(s.pid)
				s.mu.Lock()
				s.peak = max(s.peak, v)
				s.mu.Unlock()
			}
		}
	}()
	return s
}

// end stops sampling and returns the peak in MiB.
func (s *sampler) end() float64 {
	close(s.stop)
	<-s.done
	return s.peak
}

func tail(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func clip(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
