package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/enginetest"
)

// budgetServer serves the API with its budgets (HTTPServer) and limits on
// a loopback listener; it returns the address and the connection tracker.
func budgetServer(t *testing.T, limits ConnLimits) (string, *connTracker) {
	t.Helper()
	e := enginetest.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, ll := New(e.Manager, testToken, enginetest.Logger()).HTTPServer(l, limits, context.Background(), nil)
	go srv.Serve(ll)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), ll.(*limitListener).t
}

// rawRequest sends one request on c and reads the answer.
func rawRequest(t *testing.T, c net.Conn, br *bufio.Reader, withToken bool) *http.Response {
	t.Helper()
	auth := ""
	if withToken {
		auth = "Authorization: Bearer " + testToken + "\r\n"
	}
	fmt.Fprintf(c, "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", auth)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// A refused client keeps no connection: 2,000 connections stayed open
// past 60 s after their 401s (issue 14).
func TestRefusedClientsKeepNoConnection(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	addr := strings.TrimPrefix(a.srv.URL, "http://")
	for _, extra := range []string{"", "Origin: https://evil.example\r\n"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", extra)
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || (resp.StatusCode != 401 && resp.StatusCode != 403) {
			t.Fatalf("answer %v %v", resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := br.ReadByte(); err != io.EOF {
			t.Errorf("after a %d the connection stays open (%v)", resp.StatusCode, err)
		}
	}
}

// A header over MaxHeaderBytes is refused (431) once that much arrived:
// 500 connections sending 1 MB of unfinished headers took 693 MB.
func TestHeaderOverTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	addr, _ := budgetServer(t, ConnLimits{Total: 64, Unauthenticated: 16})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		fmt.Fprintf(c, "GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: %s\r\n\r\n", strings.Repeat("a", 64<<10))
	}()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("a 64 KiB header: %v %v", resp, err)
	}
}

// Connections that send nothing cannot crowd out a client with the token,
// nor hold more than the total cap; a burst of clients that all sent
// their requests is let in beyond the unauthenticated cap.
func TestIdleConnectionsAreCappedAndMakeRoom(t *testing.T) {
	t.Parallel()
	limits := ConnLimits{Total: 40, Unauthenticated: 8}
	addr, tr := budgetServer(t, limits)
	var idle []net.Conn
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	for range 100 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	time.Sleep(youngAge + 100*time.Millisecond) // old enough to make room
	for i := range 20 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		resp := rawRequest(t, c, bufio.NewReader(c), true)
		c.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("token client %d among idle connections: %d", i, resp.StatusCode)
		}
		if total, _ := tr.counts(); total > limits.Total {
			t.Fatalf("%d connections open, the cap is %d", total, limits.Total)
		}
	}
	// A burst of 30 clients with the token, all at once.
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
			req, _ := http.NewRequest("GET", "http://"+addr+"/v1/status", nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			resp, err := hc.Do(req)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 200 {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a client of the burst: %v", err)
		}
	}
}

// Over the total cap with every connection authenticated, a new one is
// answered 503 at once (and the others keep theirs).
func TestOverTheTotalCapIs503(t *testing.T) {
	t.Parallel()
	addr, _ := budgetServer(t, ConnLimits{Total: 4, Unauthenticated: 2})
	var keep []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if resp := rawRequest(t, c, bufio.NewReader(c), true); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		keep = append(keep, c)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("a fifth connection: %v %v", resp, err)
	}
	br := bufio.NewReader(keep[0])
	if resp := rawRequest(t, keep[0], br, true); resp.StatusCode != 200 {
		t.Fatalf("an admitted connection after the refusal: %d", resp.StatusCode)
	}
}

// A body announced larger than the limit is refused before it is read;
// bodies that are read share BodyBudget and wait their turn.
func TestBodyBudget(t *testing.T) {
	t.Parallel()
	addr, _ := budgetServer(t, ConnLimits{Total: 64, Unauthenticated: 16})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /v1/fetches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", testToken, int64(1)<<30)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 GiB announced, nothing sent: %v %v", resp, err)
	}

	b := newBodyBudget(100)
	ctx := context.Background()
	if err := b.acquire(ctx, 60); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- b.acquire(ctx, 60) }()
	select {
	case <-got:
		t.Fatal("a second body of 60 fits in a budget of 100 with 60 taken")
	case <-time.After(50 * time.Millisecond):
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := b.acquire(short, 10); err == nil {
		t.Fatal("a later small body jumped the queue")
	} else if StatusFor(err) != http.StatusServiceUnavailable {
		t.Fatalf("a body that waited too long: %v (status %d)", err, StatusFor(err))
	}
	b.release(60)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestConnLimitsFollowTheFileLimit(t *testing.T) {
	t.Parallel()
	for fds, want := range map[int]ConnLimits{
		1024:    {Total: 640, Unauthenticated: 80},
		4096:    {Total: 3072, Unauthenticated: 128},
		1 << 20: {Total: 4096, Unauthenticated: 128},
		256:     {Total: 16, Unauthenticated: 8},
	} {
		if got := connLimitsFor(fds); got != want {
			t.Errorf("%d descriptors: %+v, want %+v", fds, got, want)
		}
	}
}
