package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// connStats counts what the server did to an attacker's connections.
type connStats struct {
	dialed, dialErrs, closed atomic.Int64
	open                     atomic.Int64 // connected right now
}

// holdConns keeps n connections to addr open until ctx ends, each first
// sending what send writes (nil: nothing). A connection the server closes
// is opened again after redial (0: never).
func holdConns(ctx context.Context, addr string, n int, send func(net.Conn) error, redial time.Duration) *connStats {
	st := &connStats{}
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				c, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", addr)
				if err != nil {
					st.dialErrs.Add(1)
					sleepCtx(ctx, 200*time.Millisecond)
					continue
				}
				st.dialed.Add(1)
				st.open.Add(1)
				stop := context.AfterFunc(ctx, func() { c.Close() })
				if send == nil || send(c) == nil {
					buf := make([]byte, 512)
					for {
						if _, err := c.Read(buf); err != nil {
							break
						}
					}
				}
				stop()
				c.Close()
				st.open.Add(-1)
				if ctx.Err() != nil {
					break
				}
				st.closed.Add(1)
				if redial == 0 {
					<-ctx.Done()
					break
				}
				sleepCtx(ctx, redial)
			}
		}()
	}
	go func() { wg.Wait() }()
	return st
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// checkpointTrouble counts log lines of failed checkpoints and of file
// descriptors running out.
var checkpointTrouble = regexp.MustCompile(`(?m)^.*(msg=checkpoint|too many open files).*$`)

// caseIdleConns: 2,000 unauthenticated connections that send nothing
// (each opened again a second after the daemon closes it), for 12 s,
// while a fetch runs and a token client calls.
func caseIdleConns(e *env) []row {
	const name, conns = "idle-conns", 2000
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	bg := startBG(d, e.fs, name, 6<<20, 512<<10)
	s := sample(d.pid)
	pr := startProbe(d, 100*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
	st := holdConns(ctx, d.addr, conns, nil, time.Second)
	time.Sleep(10 * time.Second)
	fds := openFDs(d.pid)
	<-ctx.Done()
	cancel()
	rows := pr.end(name)
	peak := s.end()
	trouble := len(checkpointTrouble.FindAllString(d.logText(), -1))
	rows = append(rows,
		row{key: name + "/rss", attack: name, measure: "RSS peak", target: "≤ 100 MiB", value: mib(peak), ok: peak <= 100},
		row{key: name + "/fds", attack: name, measure: fmt.Sprintf("daemon's open files after 10 s (limit %d)", fdLimit), target: "≤ 700 (≥ 300 left)", value: fmt.Sprint(fds), ok: fds <= 700},
		row{key: name + "/checkpoints", attack: name, measure: "log lines of failed checkpoints / EMFILE", target: "0", value: fmt.Sprint(trouble), ok: trouble == 0},
		survival(name, d, bg, []string{bg.uid}))
	_ = st
	return rows
}

// caseSlowHeaders: 500 connections each send 1 MB of a request header
// that never ends, then wait.
func caseSlowHeaders(e *env) []row {
	const name, conns = "slow-headers", 500
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	bg := startBG(d, e.fs, name, 4<<20, 512<<10)
	s := sample(d.pid)
	pr := startProbe(d, 100*time.Millisecond)
	line := "X-Pad: " + strings.Repeat("a", 1000) + "\r\n"
	send := func(c net.Conn) error {
		w := bufio.NewWriterSize(c, 64<<10)
		fmt.Fprintf(w, "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
		for range 1000 {
			if _, err := w.WriteString(line); err != nil {
				return err
			}
		}
		return w.Flush()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	st := holdConns(ctx, d.addr, conns, send, 0)
	time.Sleep(9 * time.Second)
	open := st.open.Load()
	<-ctx.Done()
	cancel()
	rows := pr.end(name)
	peak := s.end()
	rows = append(rows,
		row{key: name + "/rss", attack: name, measure: "RSS peak", target: "≤ 100 MiB", value: mib(peak), ok: peak <= 100},
		row{key: name + "/open", attack: name, measure: "attackers still connected after 9 s", target: "0", value: fmt.Sprintf("%d of %d", open, conns), ok: open == 0},
		survival(name, d, bg, []string{bg.uid}))
	return rows
}

// caseKeepalive401: 2,000 connections each send one request without a
// token and then keep the connection for as long as the daemon lets them.
func caseKeepalive401(e *env) []row {
	const name, conns = "keepalive-401", 2000
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	bg := startBG(d, e.fs, name, 2<<20, 512<<10)
	var got401, openAfter atomic.Int64
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", d.addr, 5*time.Second)
			if err != nil {
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(8 * time.Second))
			fmt.Fprintf(c, "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusUnauthorized {
					got401.Add(1)
				}
			} else if isTimeout(err) {
				openAfter.Add(1) // neither answered nor closed in 8 s
				return
			} else {
				return // closed by the daemon
			}
			c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := br.ReadByte(); err != nil && isTimeout(err) {
				openAfter.Add(1) // the daemon kept it open 5 s after the 401
			}
		}()
	}
	wg.Wait()
	n401, open := got401.Load(), openAfter.Load()
	return []row{
		{key: name + "/answered", attack: name, measure: "connections answered 401 (the others closed unanswered)", target: "–", value: fmt.Sprint(n401), ok: true},
		{key: name + "/open", attack: name, measure: "connections still open 5 s after their 401", target: "0", value: fmt.Sprint(open), ok: open == 0},
		survival(name, d, bg, []string{bg.uid}),
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
