package downloads

import (
	"bytes"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// tcpProxy is a loopback TCP proxy the test controls, to cut the network
// between bgfetch and a server: refuse new connections, drop the open
// ones mid-body, or hang them (no byte passes).
type tcpProxy struct {
	t      *testing.T
	addr   string
	target string

	mu      sync.Mutex
	ln      net.Listener
	conns   map[net.Conn]struct{}
	hanging bool
	cond    *sync.Cond
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, addr: ln.Addr().String(), target: target, conns: map[net.Conn]struct{}{}}
	p.cond = sync.NewCond(&p.mu)
	p.serve(ln)
	t.Cleanup(func() { p.refuse(); p.setHang(false) })
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	copyPaused := func(dst, src net.Conn) {
		buf := make([]byte, 16<<10)
		for {
			n, err := src.Read(buf)
			p.mu.Lock()
			for p.hanging {
				p.cond.Wait()
			}
			p.mu.Unlock()
			if n > 0 {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		done <- struct{}{}
	}
	go copyPaused(up, c)
	go copyPaused(c, up)
	<-done
	c.Close()
	up.Close()
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

// refuse closes the listener (new connections are refused) and drops
// every open connection mid-stream.
func (p *tcpProxy) refuse() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
}

// restore accepts connections again on the same address.
func (p *tcpProxy) restore() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("re-listen on %s: %v", p.addr, err)
	}
	p.mu.Lock()
	p.serve(ln)
	p.mu.Unlock()
}

func (p *tcpProxy) setHang(h bool) {
	p.mu.Lock()
	p.hanging = h
	p.cond.Broadcast()
	p.mu.Unlock()
}

// Network cut (issue: refuse, drop mid-body, hang): the fetch waits in
// waiting-network, never fails, and completes byte-exact with Range
// resumes (spec D.23, D.24).
func TestNetworkCutThroughProxy(t *testing.T) {
	t.Parallel()
	srv := testserver.New(t)
	srv.Throttle(2 * time.Millisecond)
	body := randomBytes(6 << 20)
	srv.Put("/f", body)
	p := newTCPProxy(t, srv.Listener.Addr().String())
	e := newEnv(t, func(c *Config) { c.StallTimeout = 300 * time.Millisecond })
	reg := e.fetch("cut", "http://"+p.addr+"/f")
	sub := e.m.Subscribe(reg.UID)
	defer sub.Close()
	downloaded := func() int64 { r, _ := e.m.Registration(reg.UID); return r.Downloaded }
	state := func() model.State { r, _ := e.m.Registration(reg.UID); return r.State }

	// 1. Drop mid-body and refuse reconnects.
	waitFor(t, "1 MiB", 10*time.Second, func() bool { return downloaded() > 1<<20 })
	p.refuse()
	waitFor(t, "waiting-network after the cut", 5*time.Second, func() bool { return state() == model.StateWaitingNetwork })
	time.Sleep(300 * time.Millisecond) // several refused retries
	if r, _ := e.m.Registration(reg.UID); !r.Active() {
		t.Fatalf("a cut failed the fetch: %+v", r)
	}
	p.restore()

	// 2. Hang: bytes stop; the stall timer reconnects, then it flows.
	at := downloaded()
	waitFor(t, "progress after the cut", 10*time.Second, func() bool { return downloaded() > at+1<<20 })
	p.setHang(true)
	time.Sleep(800 * time.Millisecond) // > StallTimeout: the engine reconnects
	p.setHang(false)

	got := e.waitSettled(reg.UID, 30*time.Second)
	if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
		t.Fatalf("settled = %+v", got)
	}
	if n := srv.Ranged.Load(); n < 2 {
		t.Fatalf("%d Range requests: the cuts did not resume", n)
	}
	// Never fetch-error on the way: no fail event was published.
	for {
		select {
		case ev := <-sub.C:
			if ev.Type == model.EventFail {
				t.Fatalf("fail event during network cuts: %+v", ev.Registration)
			}
		default:
			return
		}
	}
}
