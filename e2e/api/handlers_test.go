package e2eapi

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestCommandHandlerFailsTwice: a command handler that fails twice and
// then succeeds is called three times, its updateUI is applied, the
// records become unavailable, and it is never called again.
func TestCommandHandlerFailsTwice(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	f := testserver.New(t)
	work := t.TempDir()
	reg := d.fetch(t, map[string]any{"id": "ep", "requests": f.URL + "/file/ep", "title": "Downloading",
		"handler": map[string]any{"command": handlerCommand("-dir", hostPath(work), "-fail-until", "3", "-title", "Ready to play")}})
	final := d.waitReg(t, reg.UID, "records released", func(r registration) bool { return settled(r) && !r.RecordsAvailable })
	if final.Title != "Ready to play" {
		t.Fatalf("updateUI not applied: %q", final.Title)
	}
	if status, b := d.call(t, "GET", "/v1/registrations/"+reg.UID+"/records", nil); status != 409 || errName(b) != "InvalidStateError" {
		t.Fatalf("records after the handler: %d %s", status, b)
	}
	// Let another event through the dispatcher, then count the calls.
	other := d.fetch(t, map[string]any{"id": "other", "requests": f.URL + "/file/o",
		"handler": map[string]any{"command": handlerCommand()}})
	d.waitReg(t, other.UID, "released", func(r registration) bool { return settled(r) && !r.RecordsAvailable })
	b, _ := os.ReadFile(filepath.Join(work, "calls"))
	want := "1 backgroundfetchsuccess ep\n2 backgroundfetchsuccess ep\n3 backgroundfetchsuccess ep\n"
	if string(b) != want {
		t.Fatalf("calls:\n%s\nwant:\n%s", b, want)
	}
}

// TestWebhookDownAcrossRestart: the webhook is down when the fetch
// settles and while bgfetch restarts; once it is up, the event arrives
// (once) and the records are released.
func TestWebhookDownAcrossRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := startDaemon(t, dir, "")
	f := testserver.New(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hookAddr := l.Addr().String()
	l.Close() // down: connections are refused

	reg := d.fetch(t, map[string]any{"id": "w", "requests": f.URL + "/file/w",
		"handler": map[string]any{"url": "http://" + hookAddr + "/bgfetch"}})
	d.waitReg(t, reg.UID, "settle", settled)
	d.stop(t)

	var mu sync.Mutex
	var got []event
	l, err = net.Listen("tcp", hookAddr)
	if err != nil {
		t.Skipf("the webhook port was taken meanwhile: %v", err)
	}
	hook := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev event
		json.Unmarshal(b, &ev)
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		w.WriteHeader(204)
	})}
	go hook.Serve(l)
	t.Cleanup(func() { hook.Close() })

	d = startDaemon(t, dir, "")
	d.waitReg(t, reg.UID, "records released", func(r registration) bool { return !r.RecordsAvailable })
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Type != "backgroundfetchsuccess" || got[0].Registration.UID != reg.UID || got[0].EventID == "" {
		t.Fatalf("webhook got %+v", got)
	}
}

// TestNoHandlerKeepsRecordsUntilRelease documents the decision for apps
// without a handler.
func TestNoHandlerKeepsRecordsUntilRelease(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	f := testserver.New(t)
	reg := d.fetch(t, map[string]any{"id": "n", "requests": f.URL + "/file/n"})
	d.waitReg(t, reg.UID, "settle", settled)
	// Give the dispatcher a handled event to prove it went past this one.
	d.call(t, "PUT", "/v1/handler", map[string]any{"command": handlerCommand()}, "Bgfetch-App", "com.example.other")
	other := d.fetch(t, map[string]any{"id": "o", "requests": f.URL + "/file/o"}, "Bgfetch-App", "com.example.other")
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, b := d.call(t, "GET", "/v1/registrations/"+other.UID, nil, "Bgfetch-App", "com.example.other")
		if status == 200 && !mustDecode[registration](t, b).RecordsAvailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other app's handler never ran")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status, b := d.call(t, "GET", "/v1/registrations/"+reg.UID+"/records", nil); status != 200 || !strings.Contains(string(b), `"index":0`) {
		t.Fatalf("records without a handler: %d %s", status, b)
	}
}
