package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// The subcommands of issue 13's benchmarks (transfer control).

type sample struct {
	t time.Time
	n int64
}

// rateWatch polls GET /v1/registrations/{uid} every interval and judges
// the rate of its downloaded bytes: from warm after the first byte, for
// dur. Prints the average, the highest and lowest whole second (each
// window bounded by the samples nearest its ends, divided by their real
// distance in time), and every second's rate.
func rateWatch(args []string) error {
	fs := flag.NewFlagSet("ratewatch", flag.ExitOnError)
	dir := fs.String("data-dir", "", "data dir")
	uid := fs.String("uid", "", "the fetch to watch")
	dur := fs.Duration("for", 20*time.Second, "measured span")
	warm := fs.Duration("warm", time.Second, "skipped after the first byte")
	every := fs.Duration("every", 100*time.Millisecond, "poll interval")
	fs.Parse(args)
	a := newAPI(*dir)
	if err := a.connect(); err != nil {
		return err
	}
	poll := func() (sample, error) {
		var reg registration
		err := a.do("GET", "/v1/registrations/"+url.PathEscape(*uid), nil, &reg)
		if err == nil && reg.State == "settled" {
			err = fmt.Errorf("the fetch settled (%s %s) before the measurement ended", reg.Result, reg.FailureReason)
		}
		return sample{time.Now(), reg.Downloaded}, err
	}
	deadline := time.Now().Add(time.Minute)
	var first sample
	for {
		s, err := poll()
		if err != nil {
			return err
		}
		if s.n > 0 {
			first = s
			break
		}
		if time.Now().After(deadline) {
			return errors.New("no byte arrived within a minute")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := first.t.Add(*warm)
	time.Sleep(time.Until(start))
	var ss []sample
	for next := start; !next.After(start.Add(*dur)); next = next.Add(*every) {
		time.Sleep(time.Until(next))
		s, err := poll()
		if err != nil {
			return err
		}
		ss = append(ss, s)
	}
	rate := func(a, b sample) float64 { return float64(b.n-a.n) / b.t.Sub(a.t).Seconds() }
	nearest := func(at time.Time) sample {
		best := ss[0]
		for _, s := range ss {
			if s.t.Sub(at).Abs() < best.t.Sub(at).Abs() {
				best = s
			}
		}
		return best
	}
	var secs []string
	maxSec, minSec := 0.0, -1.0
	for k := 0; k+1 <= int(dur.Seconds()); k++ {
		r := rate(nearest(ss[0].t.Add(time.Duration(k)*time.Second)), nearest(ss[0].t.Add(time.Duration(k+1)*time.Second)))
		secs = append(secs, fmt.Sprintf("%.0f", r))
		maxSec = max(maxSec, r)
		if minSec < 0 || r < minSec {
			minSec = r
		}
	}
	fmt.Printf("avg_Bps %.0f\nmax_sec_Bps %.0f\nmin_sec_Bps %.0f\nsamples %d\nseconds %s\n",
		rate(ss[0], ss[len(ss)-1]), maxSec, minSec, len(ss), strings.Join(secs, ","))
	return nil
}

// blackhole listens on a loopback port whose accept queue is full, so
// that connection attempts time out (SYNs are dropped) instead of being
// refused: a dead host without leaving loopback. Prints "listening on
// ADDR" and holds it until SIGTERM.
func blackhole(args []string) error {
	fs := flag.NewFlagSet("blackhole", flag.ExitOnError)
	fs.Parse(args)
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return err
	}
	if err := syscall.Listen(fd, 0); err != nil { // never accepted: backlog 0 holds one
		return err
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	var held []net.Conn
	for i := 0; i < 8; i++ { // fill the queue
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	if c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond); err == nil {
		c.Close()
		return errors.New("the accept queue is not full: connections still succeed")
	}
	fmt.Printf("listening on %s\n", addr)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	for _, c := range held {
		c.Close()
	}
	return syscall.Close(fd)
}
