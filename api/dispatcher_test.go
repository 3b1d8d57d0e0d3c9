package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads"
)

// runDispatcher runs a dispatcher with fast retries until the test ends.
func runDispatcher(t *testing.T, m *downloads.Manager, opts DispatcherOptions) {
	t.Helper()
	if opts.RetryBase == 0 {
		opts.RetryBase = 20 * time.Millisecond
	}
	opts.RetryMax = 200 * time.Millisecond
	opts.Poll = 100 * time.Millisecond
	opts.Logger = testLogger(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		NewDispatcher(m, opts).Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// handled reports whether the outbox entry seq is marked handled.
func handled(t testing.TB, m *downloads.Manager, seq uint64) bool {
	var yes bool
	if err := m.EventsAfter(seq-1, func(ev downloads.Event, h bool) bool {
		yes = ev.Seq == seq && h
		return false
	}); err != nil {
		t.Fatal(err)
	}
	return yes
}

// durableEvents lists the outbox entries of uid.
func durableEvents(t testing.TB, m *downloads.Manager, uid string) []downloads.Event {
	var evs []downloads.Event
	m.EventsAfter(0, func(ev downloads.Event, _ bool) bool {
		if ev.Registration.UID == uid {
			evs = append(evs, ev)
		}
		return true
	})
	return evs
}

// handlerScript writes a shell handler that logs each call to dir and
// fails its first `failures` calls, then prints answer.
func handlerScript(t *testing.T, dir string, failures int, answer string) []string {
	t.Helper()
	script := filepath.Join(dir, "handler.sh")
	body := fmt.Sprintf(`#!/bin/sh
n=$(cat %[1]s/count 2>/dev/null || echo 0)
n=$((n+1))
echo $n > %[1]s/count
cat > %[1]s/stdin-$n.json
echo "$n $BGFETCH_EVENT $BGFETCH_ID $BGFETCH_UID" >> %[1]s/calls
[ $n -gt %[2]d ] || exit 1
printf '%%s' '%[3]s'
`, dir, failures, answer)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{"/bin/sh", script}
}

func callLines(dir string) []string {
	b, _ := os.ReadFile(filepath.Join(dir, "calls"))
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// TestCommandHandlerRetriesUntilHandled: a handler that fails twice gets
// the event three times, is marked handled once, applies updateUI (C.21),
// and then the records are released (C.7). It is not called again.
func TestCommandHandlerRetriesUntilHandled(t *testing.T) {
	e := newTestEngine(t)
	files := newFileServer(t)
	dir := t.TempDir()
	argv := handlerScript(t, dir, 2, `{"updateUI":{"title":"Episode 5 is ready"}}`)
	reg, err := e.manager.Fetch("default", "ep-5", []downloads.Request{{URL: files.URL + "/file/ep5", Method: "GET"}},
		downloads.FetchOptions{Title: "Episode 5", Handler: handlerJSON(HandlerSpec{Command: argv})})
	if err != nil {
		t.Fatal(err)
	}
	settled(t, e.manager, reg.UID)
	runDispatcher(t, e.manager, DispatcherOptions{})

	evs := durableEvents(t, e.manager, reg.UID)
	if len(evs) != 1 || evs[0].Type != downloads.EventSuccess {
		t.Fatalf("outbox: %+v", evs)
	}
	waitFor(t, "the event to be handled", 10*time.Second, func() bool { return handled(t, e.manager, evs[0].Seq) })
	final, _ := e.manager.Registration(reg.UID)
	if final.Title != "Episode 5 is ready" || final.RecordsAvailable {
		t.Fatalf("after handling: title %q recordsAvailable %v", final.Title, final.RecordsAvailable)
	}
	if _, err := e.manager.MatchAll(reg.UID, downloads.MatchQuery{}); downloads.ErrorName(err) != downloads.InvalidStateError {
		t.Fatalf("matchAll after handling: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "bodies", reg.UID)); !os.IsNotExist(err) {
		t.Fatalf("bodies still in the data dir: %v", err)
	}
	// Stdin and environment of the call.
	var got downloads.Event
	b, _ := os.ReadFile(filepath.Join(dir, "stdin-3.json"))
	if err := json.Unmarshal(b, &got); err != nil || got.EventID != evs[0].EventID || got.Registration.UID != reg.UID {
		t.Fatalf("stdin: %s %v", b, err)
	}
	lines := callLines(dir)
	if len(lines) != 3 || lines[2] != fmt.Sprintf("3 backgroundfetchsuccess ep-5 %s", reg.UID) {
		t.Fatalf("calls: %q", lines)
	}

	// No more calls: another handled event proves the dispatcher moved on.
	other, err := e.manager.Fetch("default", "other", []downloads.Request{{URL: files.URL + "/file/o", Method: "GET"}}, downloads.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	settled(t, e.manager, other.UID)
	oe := durableEvents(t, e.manager, other.UID)
	waitFor(t, "the other event", 10*time.Second, func() bool { return handled(t, e.manager, oe[0].Seq) })
	if n := len(callLines(dir)); n != 3 {
		t.Fatalf("handler called %d times, want 3", n)
	}
}

// TestHandlerOrderPerRegistration: the abort event waits for the click
// event before it, even when the click's handler fails at first.
func TestHandlerOrderPerRegistration(t *testing.T) {
	e := newTestEngine(t)
	files := newFileServer(t)
	dir := t.TempDir()
	argv := handlerScript(t, dir, 1, ``)
	if err := e.manager.SetAppHandler("default", handlerJSON(HandlerSpec{Command: argv})); err != nil {
		t.Fatal(err)
	}
	reg, err := e.manager.Fetch("default", "slow", []downloads.Request{{URL: files.URL + "/slow/x", Method: "GET"}}, downloads.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.manager.Click(reg.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.manager.Abort(reg.UID); err != nil {
		t.Fatal(err)
	}
	settled(t, e.manager, reg.UID)
	runDispatcher(t, e.manager, DispatcherOptions{})
	evs := durableEvents(t, e.manager, reg.UID)
	if len(evs) != 2 {
		t.Fatalf("outbox: %+v", evs)
	}
	waitFor(t, "both events handled", 10*time.Second, func() bool { return handled(t, e.manager, evs[1].Seq) })
	want := []string{
		"1 backgroundfetchclick slow " + reg.UID,
		"2 backgroundfetchclick slow " + reg.UID,
		"3 backgroundfetchabort slow " + reg.UID,
	}
	if got := callLines(dir); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r, _ := e.manager.Registration(reg.UID); r.RecordsAvailable {
		t.Fatal("records still available after the abort event was handled")
	}
}

// TestWebhookHandler: a loopback webhook that answers 503 first, then 200
// with updateUI; a second updateUI (for a click) is refused and logged.
func TestWebhookHandler(t *testing.T) {
	e := newTestEngine(t)
	files := newFileServer(t)
	var calls atomic.Int32
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev downloads.Event
		json.Unmarshal(b, &ev)
		mu.Lock()
		got = append(got, string(ev.Type)+" "+r.Header.Get("Bgfetch-Event"))
		mu.Unlock()
		if calls.Add(1) == 1 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, `{"updateUI":{"title":"from %s","icons":[{"src":%q}]}}`, ev.Type, files.URL+"/file/icon.png")
	}))
	t.Cleanup(hook.Close)
	spec := handlerJSON(HandlerSpec{URL: hook.URL + "/events"})
	reg, err := e.manager.Fetch("default", "w", []downloads.Request{{URL: files.URL + "/file/w", Method: "GET"}}, downloads.FetchOptions{Handler: spec})
	if err != nil {
		t.Fatal(err)
	}
	settled(t, e.manager, reg.UID)
	runDispatcher(t, e.manager, DispatcherOptions{})
	waitFor(t, "the success event handled", 10*time.Second, func() bool {
		evs := durableEvents(t, e.manager, reg.UID)
		return len(evs) == 1 && handled(t, e.manager, evs[0].Seq)
	})
	if r, _ := e.manager.Registration(reg.UID); r.Title != "from backgroundfetchsuccess" || len(r.Icons) != 1 || r.RecordsAvailable {
		t.Fatalf("after success: %+v", r)
	}
	if err := e.manager.Click(reg.UID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the click event handled", 10*time.Second, func() bool {
		evs := durableEvents(t, e.manager, reg.UID)
		return len(evs) == 2 && handled(t, e.manager, evs[1].Seq)
	})
	if r, _ := e.manager.Registration(reg.UID); r.Title != "from backgroundfetchsuccess" {
		t.Fatalf("updateUI for a click was applied: %q", r.Title)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "backgroundfetchsuccess backgroundfetchsuccess|backgroundfetchsuccess backgroundfetchsuccess|backgroundfetchclick backgroundfetchclick"
	if strings.Join(got, "|") != want {
		t.Fatalf("webhook calls %q", got)
	}
}

// TestNoHandlerKeepsRecords: without any handler the event is marked
// handled but the records stay until release (docs/API.md).
func TestNoHandlerKeepsRecords(t *testing.T) {
	e := newTestEngine(t)
	files := newFileServer(t)
	reg, err := e.manager.Fetch("default", "n", []downloads.Request{{URL: files.URL + "/file/n", Method: "GET"}}, downloads.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	settled(t, e.manager, reg.UID)
	runDispatcher(t, e.manager, DispatcherOptions{})
	evs := durableEvents(t, e.manager, reg.UID)
	waitFor(t, "the event handled", 10*time.Second, func() bool { return handled(t, e.manager, evs[0].Seq) })
	if r, _ := e.manager.Registration(reg.UID); !r.RecordsAvailable {
		t.Fatal("records released without a handler")
	}
}

// TestCommandHandlerTimeout: a handler that hangs is killed after the
// timeout and retried; the event stays unhandled.
func TestCommandHandlerTimeout(t *testing.T) {
	e := newTestEngine(t)
	files := newFileServer(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	argv := []string{"/bin/sh", "-c", "echo x >> " + marker + "; sleep 30"}
	reg, err := e.manager.Fetch("default", "t", []downloads.Request{{URL: files.URL + "/file/t", Method: "GET"}},
		downloads.FetchOptions{Handler: handlerJSON(HandlerSpec{Command: argv})})
	if err != nil {
		t.Fatal(err)
	}
	settled(t, e.manager, reg.UID)
	start := time.Now()
	runDispatcher(t, e.manager, DispatcherOptions{Timeout: 200 * time.Millisecond})
	waitFor(t, "a second attempt", 10*time.Second, func() bool {
		b, _ := os.ReadFile(marker)
		return strings.Count(string(b), "x") >= 2
	})
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the hung handler was not killed in time (%s)", time.Since(start))
	}
	evs := durableEvents(t, e.manager, reg.UID)
	if handled(t, e.manager, evs[0].Seq) {
		t.Fatal("a timed-out delivery was marked handled")
	}
}

func TestBackoffIsCapped(t *testing.T) {
	d := NewDispatcher(nil, DispatcherOptions{RetryBase: time.Second, RetryMax: 60 * time.Second})
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, 60 * time.Second, 60 * time.Second}
	for i, w := range want {
		if got := d.backoff(i + 1); got != w {
			t.Errorf("attempt %d: %s, want %s", i+1, got, w)
		}
	}
}
