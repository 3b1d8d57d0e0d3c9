package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	conns atomic.Int64
	down  atomic.Int64
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	upstream := flag.String("upstream", "", "host:port of the real server")
	rtt := flag.Duration("rtt", 80*time.Millisecond, "round-trip time to emulate")
	window := flag.Int("window", 64<<10, "bytes in flight per RTT, server to client")
	flag.Parse()
	if *upstream == "" || *rtt <= 0 || *window <= 0 {
		fmt.Fprintln(os.Stderr, "usage: linkemu -listen ADDR -upstream HOST:PORT [-rtt 80ms] [-window 65536]")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		fmt.Fprintf(os.Stderr, "connections %d bytes %d\n", conns.Load(), down.Load())
		os.Exit(0)
	}()
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		conns.Add(1)
		go serve(c, *upstream, *rtt, *window)
	}
}

func serve(client net.Conn, upstream string, rtt time.Duration, window int) {
	defer client.Close()
	time.Sleep(rtt) // the handshake: SYN, SYN-ACK, ACK with the request
	server, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	defer server.Close()
	done := make(chan struct{}, 2)
	go func() { relay(server, client, rtt/2, 0, nil); done <- struct{}{} }()
	go func() { relay(client, server, rtt/2, window, &down); done <- struct{}{} }()
	<-done // either side closed: close both
}

// chunk is data read at one moment, due at the far end one-way delay later.
type chunk struct {
	b   []byte
	due time.Time
}

// relay copies src to dst, each byte delayed by delay; with window > 0, at
// most window bytes leave per 2×delay (one RTT). counted adds the bytes
// written.
func relay(dst, src net.Conn, delay time.Duration, window int, counted *atomic.Int64) {
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		rtt := 2 * delay
		var windowStart time.Time
		inWindow := 0
		for {
			n := 16 << 10
			if window > 0 {
				// Never read past the window: what the sender may not
				// send yet stays in the server's socket (back pressure).
				if inWindow >= window {
					if d := time.Until(windowStart.Add(rtt)); d > 0 {
						time.Sleep(d)
					}
					inWindow = 0
				}
				n = min(n, window-inWindow)
			}
			b := make([]byte, n)
			k, err := src.Read(b)
			if k > 0 {
				now := time.Now()
				if window > 0 {
					if inWindow == 0 {
						windowStart = now
					}
					inWindow += k
				}
				q <- chunk{b[:k], now.Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		if d := time.Until(c.due); d > 0 {
			time.Sleep(d)
		}
		n, err := dst.Write(c.b)
		if counted != nil {
			counted.Add(int64(n))
		}
		if err != nil {
			src.Close() // ends the reader; drop what it queued
			for range q {
			}
			return
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}
