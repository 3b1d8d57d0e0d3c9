package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Every subscriber of an app sees every durable event, however many
// there are: the hub and the feed share one read and one encoding.
func TestManySubscribersSeeEveryEvent(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	const subs, fetches = 100, 150
	counts := make([]atomic.Int64, subs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ready sync.WaitGroup
	for i := range subs {
		ready.Add(1)
		req, _ := http.NewRequestWithContext(ctx, "GET", a.srv.URL+"/v1/events", nil)
		req.Header.Set("Authorization", "Bearer "+testToken)
		req.Header.Set("Bgfetch-App", "fan")
		resp, err := a.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			defer resp.Body.Close()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 4<<20)
			first := true
			for sc.Scan() {
				if first && bytes.HasPrefix(sc.Bytes(), []byte("id:")) {
					first = false
					ready.Done()
				}
				if bytes.Equal(sc.Bytes(), []byte("event: backgroundfetchabort")) {
					counts[i].Add(1)
				}
			}
		}()
	}
	ready.Wait()
	for i := range fetches {
		status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": fmt.Sprint(i), "requests": "http://127.0.0.1:8081/x"}, "Bgfetch-App", "fan")
		if status != 201 {
			t.Fatalf("%d %s", status, b)
		}
		reg := decode[struct{ UID string }](t, b)
		a.call(t, "POST", "/v1/registrations/"+reg.UID+"/abort", nil, "Bgfetch-App", "fan")
	}
	deadline := time.Now().Add(30 * time.Second)
	for i := range counts {
		for counts[i].Load() < fetches && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := counts[i].Load(); n != fetches {
			t.Fatalf("subscriber %d saw %d of %d abort events", i, n, fetches)
		}
	}
}
