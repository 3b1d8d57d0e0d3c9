package server

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/enginetest"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// Transfer control through HTTP: PATCH of an active fetch, bad values (400
// naming the field, nothing changes), a settled one (409); retry; the
// paged history of this app only; settings.
func TestTransferControlEndpoints(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	files := testserver.New(t)
	status, b := a.call(t, "POST", "/v1/fetches", map[string]any{"id": "slow", "requests": files.URL + "/slow/s",
		"priority": "low", "maxBytesPerSecond": 1000, "connections": 2, "metered": "wait"})
	if status != 201 {
		t.Fatalf("fetch with options: %d %s", status, b)
	}
	reg := decode[model.Registration](t, b)
	if reg.Priority != model.PriorityLow || reg.MaxBytesPerSecond != 1000 || reg.Connections != 2 || reg.Metered != model.MeteredWait || reg.RetryOf != "" {
		t.Fatalf("options not echoed: %+v", reg)
	}
	path := "/v1/registrations/" + reg.UID
	status, b = a.call(t, "PATCH", path, `{"priority":"high","maxBytesPerSecond":0,"connections":4,"metered":"allow"}`)
	if got := decode[model.Registration](t, b); status != 200 || got.Priority != model.PriorityHigh || got.Connections != 4 || got.Metered != model.MeteredAllow {
		t.Fatalf("PATCH: %d %s", status, b)
	}
	for field, body := range map[string]string{
		"priority":          `{"priority":"urgent"}`,
		"maxBytesPerSecond": `{"maxBytesPerSecond":-5}`,
		"connections":       `{"connections":99}`,
		"metered":           `{"metered":"never"}`,
		"colour":            `{"colour":"red"}`,
	} {
		status, b := a.call(t, "PATCH", path, body)
		if status != 400 || errorName(b) != model.TypeError || !strings.Contains(string(b), field) {
			t.Errorf("bad %s: %d %s", field, status, b)
		}
	}
	if r, _ := a.manager.Registration(reg.UID); r.Priority != model.PriorityHigh || r.Connections != 4 {
		t.Fatalf("a refused PATCH changed the fetch: %+v", r)
	}
	if status, _ := a.call(t, "POST", path+"/retry", nil); status != 409 {
		t.Fatalf("retry of an active fetch: %d", status)
	}
	a.call(t, "POST", path+"/abort", nil)
	enginetest.Settled(t, a.manager, reg.UID)
	if status, b := a.call(t, "PATCH", path, `{"priority":"low"}`); status != 409 || errorName(b) != model.InvalidStateError {
		t.Fatalf("PATCH of a settled fetch: %d %s", status, b)
	}
	status, b = a.call(t, "POST", path+"/retry", nil)
	next := decode[model.Registration](t, b)
	if status != 201 || next.RetryOf != reg.UID || next.ID != "slow" || next.Priority != model.PriorityHigh {
		t.Fatalf("retry: %d %s", status, b)
	}

	// History: both, newest first; a page of one with a cursor; another
	// app sees none of it.
	status, b = a.call(t, "GET", "/v1/registrations?state=all&limit=1", nil)
	page := decode[model.RegistrationPage](t, b)
	if status != 200 || len(page.Registrations) != 1 || page.Registrations[0].UID != next.UID || page.Next == "" {
		t.Fatalf("history page 1: %d %s", status, b)
	}
	status, b = a.call(t, "GET", "/v1/registrations?limit=1&before="+page.Next, nil)
	if page := decode[model.RegistrationPage](t, b); status != 200 || len(page.Registrations) != 1 || page.Registrations[0].UID != reg.UID || page.Next != "" {
		t.Fatalf("history page 2: %d %s", status, b)
	}
	if status, b := a.call(t, "GET", "/v1/registrations?state=settled", nil); status != 200 || len(decode[model.RegistrationPage](t, b).Registrations) != 1 {
		t.Fatalf("settled: %d %s", status, b)
	}
	if status, b := a.call(t, "GET", "/v1/registrations", nil, model.AppHeader, "com.example.other"); status != 200 || len(decode[model.RegistrationPage](t, b).Registrations) != 0 {
		t.Fatalf("another app's history: %d %s", status, b)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?limit=x", "?state=done", "?before=nope"} {
		if status, b := a.call(t, "GET", "/v1/registrations"+q, nil); status != 400 || errorName(b) != model.TypeError {
			t.Errorf("history%s: %d %s", q, status, b)
		}
	}
}

func TestSettingsEndpoints(t *testing.T) {
	t.Parallel()
	a := newAPIServer(t)
	status, b := a.call(t, "GET", "/v1/settings", nil)
	want := model.DefaultSettings()
	want.MaxConnections = 64 // enginetest's Config.MaxConnections, the --max-connections of this run
	if status != 200 || !reflect.DeepEqual(decode[model.Settings](t, b), want) {
		t.Fatalf("GET: %d %s", status, b)
	}
	status, b = a.call(t, "PATCH", "/v1/settings", `{"maxBytesPerSecond":2097152,"schedule":[{"days":["mon"],"from":"09:00","to":"17:00","maxBytesPerSecond":500000,"paused":false}]}`)
	got := decode[model.Settings](t, b)
	if status != 200 || got.MaxBytesPerSecond != 2<<20 || len(got.Schedule) != 1 || got.MaxConnections != 64 {
		t.Fatalf("PATCH: %d %s", status, b)
	}
	for field, body := range map[string]string{
		"maxConnections":  `{"maxConnections":0}`,
		"keepHistoryDays": `{"keepHistoryDays":"many"}`,
		"proxy":           `{"proxy":"gopher://x"}`,
		"schedule[0]":     `{"schedule":[{"days":["mon"],"from":"9","to":"17:00"}]}`,
	} {
		status, b := a.call(t, "PATCH", "/v1/settings", body)
		if status != 400 || errorName(b) != model.TypeError || !strings.Contains(string(b), field) {
			t.Errorf("bad %s: %d %s", field, status, b)
		}
	}
	if _, b := a.call(t, "GET", "/v1/settings", nil); !reflect.DeepEqual(decode[model.Settings](t, b), got) {
		t.Fatalf("a refused PATCH changed the settings: %s", b)
	}
}
