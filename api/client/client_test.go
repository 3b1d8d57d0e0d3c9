package client_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/api/daemon"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/enginetest"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

func startDaemon(t testing.TB, dir string) *daemon.Daemon {
	t.Helper()
	d, err := daemon.Start(context.Background(), daemon.Options{DataDir: dir, MaxConnections: 32, Logger: enginetest.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func newClient(t testing.TB, dir, app string) *client.Client {
	t.Helper()
	c, err := client.New(client.Options{DataDir: dir, App: app})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNotRunning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := client.New(client.Options{DataDir: dir}); !errors.Is(err, client.ErrNotRunning) {
		t.Fatalf("no endpoint: %v", err)
	}
	d := startDaemon(t, dir)
	c := newClient(t, dir, "")
	d.Close()
	if _, err := c.IDs(context.Background()); !errors.Is(err, client.ErrNotRunning) {
		t.Fatalf("daemon gone: %v", err)
	}
}

func TestEveryCall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	startDaemon(t, dir)
	srv := testserver.New(t)
	ctx := context.Background()
	c := newClient(t, dir, "com.example.podcasts")

	if s, err := c.Status(ctx); err != nil || s.App != "com.example.podcasts" || s.Version == "" {
		t.Fatalf("status %+v %v", s, err)
	}
	events, err := c.Events(ctx, client.EventsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.Fetch(ctx, model.FetchRequest{ID: "ep-5", Requests: model.GetRequests(srv.URL+"/file/ep5.mp3", srv.URL+"/file/ep5.jpg?size=big")})
	if err != nil {
		t.Fatal(err)
	}
	var ev model.Event
	for ev = range events {
		if ev.Type == model.EventSuccess || ev.Type == model.EventFail {
			break
		}
	}
	if ev.Type != model.EventSuccess || ev.Registration.UID != reg.UID || ev.Seq == 0 || len(ev.Records) != 2 {
		t.Fatalf("event %+v", ev)
	}
	if got, err := c.Get(ctx, "ep-5"); got != nil || err != nil {
		t.Fatalf("get of a settled id: %+v %v", got, err)
	}
	recs, err := c.Records(ctx, reg.UID, model.MatchQuery{})
	if err != nil || len(recs) != 2 {
		t.Fatalf("records %v %v", recs, err)
	}
	rec, err := c.Match(ctx, reg.UID, model.MatchQuery{URL: srv.URL + "/file/ep5.jpg", IgnoreSearch: true})
	if err != nil || rec == nil || rec.Index != 1 {
		t.Fatalf("match %+v %v", rec, err)
	}
	body, err := c.Body(ctx, reg.UID, 1, 5)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(body)
	body.Close()
	if !bytes.Equal(b, testserver.Body[5:]) || body.Status != 200 {
		t.Fatalf("body from 5: %d bytes, status %d", len(b), body.Status)
	}
	if _, err := c.Click(ctx, reg.UID); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Release(ctx, reg.UID); err != nil || r.RecordsAvailable {
		t.Fatalf("release %+v %v", r, err)
	}
	_, err = c.Records(ctx, reg.UID, model.MatchQuery{})
	var apiErr *model.Error
	if !errors.As(err, &apiErr) || apiErr.Name != "InvalidStateError" || apiErr.Status != 409 {
		t.Fatalf("records after release: %v", err)
	}

	slow, err := c.Fetch(ctx, model.FetchRequest{ID: "slow", Requests: model.GetRequests(srv.URL + "/slow/1")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Fetch(ctx, model.FetchRequest{ID: "slow", Requests: model.GetRequests(srv.URL + "/slow/2")}); model.NameOf(err) != "TypeError" || !errors.As(err, &apiErr) || apiErr.Status != 409 {
		t.Fatalf("duplicate: %v", err)
	}
	if ids, err := c.IDs(ctx); err != nil || len(ids) != 1 || ids[0] != "slow" {
		t.Fatalf("ids %v %v", ids, err)
	}
	if got, err := c.Get(ctx, "slow"); err != nil || got == nil || got.UID != slow.UID {
		t.Fatalf("get %+v %v", got, err)
	}
	if _, err := c.Pause(ctx, slow.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Resume(ctx, slow.UID); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.Abort(ctx, slow.UID); !ok || err != nil {
		t.Fatalf("abort %v %v", ok, err)
	}
	if ok, _ := c.Abort(ctx, slow.UID); ok {
		t.Fatal("second abort returned true")
	}
	if err := c.SetHandler(ctx, model.HandlerSpec{Command: []string{"true"}}); err != nil {
		t.Fatal(err)
	}
	if h, err := c.Handler(ctx); err != nil || h == nil || h.Command[0] != "true" {
		t.Fatalf("handler %+v %v", h, err)
	}
	if err := c.DeleteHandler(ctx); err != nil {
		t.Fatal(err)
	}
	if h, err := c.Handler(ctx); err != nil || h != nil {
		t.Fatalf("handler after delete %+v %v", h, err)
	}
}

// TestEventsSurviveRestart: the channel reconnects with Last-Event-ID and
// still delivers the events of the daemon that replaced the first one.
func TestEventsSurviveRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startDaemon(t, dir)
	srv := testserver.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := newClient(t, dir, "")
	slow, err := c.Fetch(ctx, model.FetchRequest{ID: "s", Requests: model.GetRequests(srv.URL + "/slow/x")})
	if err != nil {
		t.Fatal(err)
	}
	events, err := c.Events(ctx, client.EventsOptions{UID: slow.UID})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	d2 := startDaemon(t, dir)
	c2 := newClient(t, dir, "") // the socket path is the same; the token too
	if _, err := c2.Abort(ctx, slow.UID); err != nil {
		t.Fatal(err)
	}
	for ev := range events {
		if ev.Type == model.EventAbort {
			if ev.Registration.UID != slow.UID {
				t.Fatalf("abort of %s", ev.Registration.UID)
			}
			d2.Close()
			return
		}
	}
	t.Fatal("the event channel closed before the abort event")
}

// TestFollowsRestart: a daemon restarted on a new loopback port is found
// again through the data directory's endpoint file, by calls and by an
// open event stream, with a client made before the restart.
func TestFollowsRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	start := func() *daemon.Daemon {
		d, err := daemon.Start(context.Background(), daemon.Options{DataDir: dir, Listen: "tcp:127.0.0.1:0", Logger: enginetest.Logger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	d := start()
	c := newClient(t, dir, "")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	events, err := c.Events(ctx, client.EventsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	old := d.Endpoint()
	d.Close()
	d = start()
	if d.Endpoint() == old {
		t.Skipf("the new daemon got the same port (%s)", old)
	}
	reg, err := c.Fetch(ctx, model.FetchRequest{ID: "after", Requests: []model.Request{{URL: testserver.New(t).URL + "/file/a"}}})
	if err != nil {
		t.Fatalf("a call after the restart: %v", err)
	}
	if c.Endpoint() != d.Endpoint() {
		t.Fatalf("client endpoint %s, daemon %s", c.Endpoint(), d.Endpoint())
	}
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Type == model.EventSuccess && ev.Registration.UID == reg.UID {
				return
			}
		case <-timeout:
			t.Fatal("the event stream did not follow the restart")
		}
	}
}
