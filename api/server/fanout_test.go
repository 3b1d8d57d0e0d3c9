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
	disorder := make([]atomic.Int64, subs) // ids not above the one before
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
			first, last := true, int64(-1)
			for sc.Scan() {
				if first && bytes.HasPrefix(sc.Bytes(), []byte("id:")) {
					first = false
					ready.Done()
				}
				var id int64
				if _, err := fmt.Sscanf(sc.Text(), "id: %d", &id); err == nil {
					if id <= last {
						disorder[i].Add(1)
					}
					last = id
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
		if n := disorder[i].Load(); n > 0 {
			t.Fatalf("subscriber %d saw %d event ids out of order", i, n)
		}
	}
}

// countingWriter is a ResponseWriter that counts its writes.
type countingWriter struct {
	http.ResponseWriter
	writes int
	body   bytes.Buffer
}

func (c *countingWriter) Write(b []byte) (int, error) {
	c.writes++
	return c.body.Write(b)
}

// A batch is written when it would pass maxBatch, in order, so that a
// burst of megabytes is never gathered in one buffer per stream; a
// frame larger than maxBatch goes out whole.
func TestStreamBatchBounded(t *testing.T) {
	cw := &countingWriter{}
	es := &eventStream{w: cw}
	var want bytes.Buffer
	for i := range 300 {
		frame := fmt.Appendf(nil, "id: %d\nevent: x\ndata: %s\n\n", i, bytes.Repeat([]byte("y"), 1000))
		want.Write(frame)
		if err := es.add(frame); err != nil {
			t.Fatal(err)
		}
		if len(es.batch) > maxBatch {
			t.Fatalf("after frame %d the batch holds %d bytes, more than %d", i, len(es.batch), maxBatch)
		}
	}
	big := bytes.Repeat([]byte("z"), 3*maxBatch)
	want.Write(big)
	if err := es.add(big); err != nil {
		t.Fatal(err)
	}
	if err := es.writeBatch(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cw.body.Bytes(), want.Bytes()) {
		t.Fatalf("wrote %d bytes that differ from the %d added", cw.body.Len(), want.Len())
	}
	// 300 frames of 1,023-1,025 bytes (307 KB): four full batches of 63
	// or 64 frames, the rest written before the large frame, then that.
	if cw.writes != 6 {
		t.Fatalf("%d writes, want 6", cw.writes)
	}
	if cap(es.batch) > 2*maxBatch {
		t.Fatalf("the stream keeps a %d-byte buffer after a large frame", cap(es.batch))
	}
}
