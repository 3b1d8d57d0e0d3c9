package delivery

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
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/enginetest"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// runDispatcher runs a dispatcher with fast retries until the test ends.
func runDispatcher(t *testing.T, m *downloads.Manager, opts Options) {
	t.Helper()
	if opts.RetryBase == 0 {
		opts.RetryBase = 20 * time.Millisecond
	}
	opts.RetryMax = 200 * time.Millisecond
	opts.Poll = 100 * time.Millisecond
	opts.Logger = enginetest.Logger()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		New(m, opts).Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// handled reports whether the outbox entry seq is marked handled.
func handled(t testing.TB, m *downloads.Manager, seq uint64) bool {
	var yes bool
	if err := m.Outbox().After(seq-1, func(ev model.Event, h bool) bool {
		yes = ev.Seq == seq && h
		return false
	}); err != nil {
		t.Fatal(err)
	}
	return yes
}

// durableEvents lists the outbox entries of uid.
func durableEvents(t testing.TB, m *downloads.Manager, uid string) []model.Event {
	var evs []model.Event
	m.Outbox().After(0, func(ev model.Event, _ bool) bool {
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
	t.Parallel()
	e := enginetest.New(t)
	files := testserver.New(t)
	dir := t.TempDir()
	argv := handlerScript(t, dir, 2, `{"updateUI":{"title":"Episode 5 is ready"}}`)
	reg, err := e.Manager.Fetch("default", model.FetchRequest{ID: "ep-5", Requests: model.Requests{{URL: files.URL + "/file/ep5", Method: "GET"}}, Title: "Episode 5", Handler: &model.HandlerSpec{Command: argv}})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, reg.UID)
	runDispatcher(t, e.Manager, Options{})

	evs := durableEvents(t, e.Manager, reg.UID)
	if len(evs) != 1 || evs[0].Type != model.EventSuccess {
		t.Fatalf("outbox: %+v", evs)
	}
	enginetest.WaitFor(t, "the event to be handled", 10*time.Second, func() bool { return handled(t, e.Manager, evs[0].Seq) })
	final, _ := e.Manager.Registration(reg.UID)
	if final.Title != "Episode 5 is ready" || final.RecordsAvailable {
		t.Fatalf("after handling: title %q recordsAvailable %v", final.Title, final.RecordsAvailable)
	}
	if _, err := e.Manager.MatchAll(reg.UID, model.MatchQuery{}); model.NameOf(err) != model.InvalidStateError {
		t.Fatalf("matchAll after handling: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "bodies", reg.UID)); !os.IsNotExist(err) {
		t.Fatalf("bodies still in the data dir: %v", err)
	}
	// Stdin and environment of the call.
	var got model.Event
	b, _ := os.ReadFile(filepath.Join(dir, "stdin-3.json"))
	if err := json.Unmarshal(b, &got); err != nil || got.EventID != evs[0].EventID || got.Registration.UID != reg.UID {
		t.Fatalf("stdin: %s %v", b, err)
	}
	lines := callLines(dir)
	if len(lines) != 3 || lines[2] != fmt.Sprintf("3 backgroundfetchsuccess ep-5 %s", reg.UID) {
		t.Fatalf("calls: %q", lines)
	}

	// No more calls: another handled event proves the dispatcher moved on.
	other, err := e.Manager.Fetch("default", model.FetchRequest{ID: "other", Requests: model.Requests{{URL: files.URL + "/file/o", Method: "GET"}},
		Handler: &model.HandlerSpec{Command: handlerScript(t, t.TempDir(), 0, "")}})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, other.UID)
	oe := durableEvents(t, e.Manager, other.UID)
	enginetest.WaitFor(t, "the other event", 10*time.Second, func() bool { return handled(t, e.Manager, oe[0].Seq) })
	if n := len(callLines(dir)); n != 3 {
		t.Fatalf("handler called %d times, want 3", n)
	}
}

// TestHandlerOrderPerRegistration: the abort event waits for the click
// event before it, even when the click's handler fails at first.
func TestHandlerOrderPerRegistration(t *testing.T) {
	t.Parallel()
	e := enginetest.New(t)
	files := testserver.New(t)
	dir := t.TempDir()
	argv := handlerScript(t, dir, 1, ``)
	if err := e.Manager.Handlers().SetApp("default", &model.HandlerSpec{Command: argv}); err != nil {
		t.Fatal(err)
	}
	reg, err := e.Manager.Fetch("default", model.FetchRequest{ID: "slow", Requests: model.Requests{{URL: files.URL + "/slow/x", Method: "GET"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Manager.Click(reg.UID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Manager.Abort(reg.UID); err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, reg.UID)
	runDispatcher(t, e.Manager, Options{})
	evs := durableEvents(t, e.Manager, reg.UID)
	if len(evs) != 2 {
		t.Fatalf("outbox: %+v", evs)
	}
	enginetest.WaitFor(t, "both events handled", 10*time.Second, func() bool { return handled(t, e.Manager, evs[1].Seq) })
	want := []string{
		"1 backgroundfetchclick slow " + reg.UID,
		"2 backgroundfetchclick slow " + reg.UID,
		"3 backgroundfetchabort slow " + reg.UID,
	}
	if got := callLines(dir); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r, _ := e.Manager.Registration(reg.UID); r.RecordsAvailable {
		t.Fatal("records still available after the abort event was handled")
	}
}

// TestWebhookHandler: a loopback webhook that answers 503 first, then 200
// with updateUI; a second updateUI (for a click) is refused and logged.
func TestWebhookHandler(t *testing.T) {
	t.Parallel()
	e := enginetest.New(t)
	files := testserver.New(t)
	var calls atomic.Int32
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev model.Event
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
	spec := &model.HandlerSpec{URL: hook.URL + "/events"}
	reg, err := e.Manager.Fetch("default", model.FetchRequest{ID: "w", Requests: model.Requests{{URL: files.URL + "/file/w", Method: "GET"}}, Handler: spec})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, reg.UID)
	runDispatcher(t, e.Manager, Options{})
	enginetest.WaitFor(t, "the success event handled", 10*time.Second, func() bool {
		evs := durableEvents(t, e.Manager, reg.UID)
		return len(evs) == 1 && handled(t, e.Manager, evs[0].Seq)
	})
	if r, _ := e.Manager.Registration(reg.UID); r.Title != "from backgroundfetchsuccess" || len(r.Icons) != 1 || r.RecordsAvailable {
		t.Fatalf("after success: %+v", r)
	}
	if err := e.Manager.Click(reg.UID); err != nil {
		t.Fatal(err)
	}
	enginetest.WaitFor(t, "the click event handled", 10*time.Second, func() bool {
		evs := durableEvents(t, e.Manager, reg.UID)
		return len(evs) == 2 && handled(t, e.Manager, evs[1].Seq)
	})
	if r, _ := e.Manager.Registration(reg.UID); r.Title != "from backgroundfetchsuccess" {
		t.Fatalf("updateUI for a click was applied: %q", r.Title)
	}
	mu.Lock()
	defer mu.Unlock()
	want := "backgroundfetchsuccess backgroundfetchsuccess|backgroundfetchsuccess backgroundfetchsuccess|backgroundfetchclick backgroundfetchclick"
	if strings.Join(got, "|") != want {
		t.Fatalf("webhook calls %q", got)
	}
}

// TestNoHandlerWaitsForALiveHandler: an event with neither its own nor the
// app's handler is left in the outbox with its records (api.md "Live
// handlers"), while the dispatcher goes on with the events it can deliver.
func TestNoHandlerWaitsForALiveHandler(t *testing.T) {
	t.Parallel()
	e := enginetest.New(t)
	files := testserver.New(t)
	waiting, err := e.Manager.Fetch("default", model.FetchRequest{ID: "n", Requests: model.GetRequests(files.URL + "/file/n")})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, waiting.UID)
	dir := t.TempDir()
	later, err := e.Manager.Fetch("default", model.FetchRequest{ID: "h", Requests: model.GetRequests(files.URL + "/file/h"),
		Handler: &model.HandlerSpec{Command: handlerScript(t, dir, 0, "")}})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, later.UID)
	runDispatcher(t, e.Manager, Options{})
	le := durableEvents(t, e.Manager, later.UID)
	enginetest.WaitFor(t, "the later event handled", 10*time.Second, func() bool { return handled(t, e.Manager, le[0].Seq) })
	we := durableEvents(t, e.Manager, waiting.UID)
	if handled(t, e.Manager, we[0].Seq) {
		t.Fatal("an event with no handler was marked handled")
	}
	if r, _ := e.Manager.Registration(waiting.UID); !r.RecordsAvailable {
		t.Fatal("records released without a handler")
	}
}

// TestNoHandlerExpires: an event nobody took within KeepWaiting is
// dropped and its records released.
func TestNoHandlerExpires(t *testing.T) {
	t.Parallel()
	e := enginetest.New(t)
	files := testserver.New(t)
	reg, err := e.Manager.Fetch("default", model.FetchRequest{ID: "n", Requests: model.GetRequests(files.URL + "/file/n")})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, reg.UID)
	time.Sleep(20 * time.Millisecond)
	runDispatcher(t, e.Manager, Options{KeepWaiting: 10 * time.Millisecond})
	evs := durableEvents(t, e.Manager, reg.UID)
	enginetest.WaitFor(t, "the event dropped", 10*time.Second, func() bool { return handled(t, e.Manager, evs[0].Seq) })
	if r, _ := e.Manager.Registration(reg.UID); r.RecordsAvailable {
		t.Fatal("records of a dropped event still available")
	}
}

// TestCommandHandlerTimeout: a handler that hangs is killed after the
// timeout and retried; the event stays unhandled.
func TestCommandHandlerTimeout(t *testing.T) {
	t.Parallel()
	e := enginetest.New(t)
	files := testserver.New(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "started")
	argv := []string{"/bin/sh", "-c", "echo x >> " + marker + "; sleep 30"}
	reg, err := e.Manager.Fetch("default", model.FetchRequest{ID: "t", Requests: model.Requests{{URL: files.URL + "/file/t", Method: "GET"}}, Handler: &model.HandlerSpec{Command: argv}})
	if err != nil {
		t.Fatal(err)
	}
	enginetest.Settled(t, e.Manager, reg.UID)
	start := time.Now()
	runDispatcher(t, e.Manager, Options{Timeout: 200 * time.Millisecond})
	enginetest.WaitFor(t, "a second attempt", 10*time.Second, func() bool {
		b, _ := os.ReadFile(marker)
		return strings.Count(string(b), "x") >= 2
	})
	if time.Since(start) > 5*time.Second {
		t.Fatalf("the hung handler was not killed in time (%s)", time.Since(start))
	}
	evs := durableEvents(t, e.Manager, reg.UID)
	if handled(t, e.Manager, evs[0].Seq) {
		t.Fatal("a timed-out delivery was marked handled")
	}
}
