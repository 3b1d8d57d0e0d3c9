package ui

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// fakeManager records the calls the window makes.
type fakeManager struct {
	mu       sync.Mutex
	calls    []string
	fetches  []fetchCall
	icons    map[string][]byte
	handlers map[string]json.RawMessage
	records  map[string][]model.Record
	n        int
}

type fetchCall struct {
	App string
	Req model.FetchRequest
}

func newFakeManager() *fakeManager {
	return &fakeManager{icons: map[string][]byte{}, handlers: map[string]json.RawMessage{}, records: map[string][]model.Record{}}
}

func (f *fakeManager) record(s string) {
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.mu.Unlock()
}

func (f *fakeManager) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeManager) Click(uid string) error         { f.record("click " + uid); return nil }
func (f *fakeManager) Abort(uid string) (bool, error) { f.record("abort " + uid); return true, nil }
func (f *fakeManager) Pause(uid string) error         { f.record("pause " + uid); return nil }
func (f *fakeManager) Resume(uid string) error        { f.record("resume " + uid); return nil }
func (f *fakeManager) PauseAll()                      { f.record("pauseall") }
func (f *fakeManager) ResumeAll()                     { f.record("resumeall") }
func (f *fakeManager) Forget(uid string) error        { f.record("forget " + uid); return nil }
func (f *fakeManager) Records(uid string) ([]model.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.records[uid], nil
}
func (f *fakeManager) HasHandler(r model.Registration) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return r.Handler != nil || len(f.handlers[r.App]) > 0
}
func (f *fakeManager) Get(src string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.icons[src]
	return b, ok
}
func (f *fakeManager) Put(src string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.icons[src] = data
	return nil
}

func (f *fakeManager) Fetch(app string, opts model.FetchRequest) (model.Registration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetches = append(f.fetches, fetchCall{app, opts})
	f.n++
	f.calls = append(f.calls, "fetch "+opts.ID)
	return model.Registration{
		UID: fmt.Sprintf("r_new%d", f.n), App: app, ID: opts.ID, Title: opts.Title,
		State: model.StateQueued, RecordsAvailable: true, AllGET: true,
		Destination: opts.Destination, CreatedAt: time.Now(),
	}, nil
}

var epoch = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// reg builds a registration for tests.
func reg(uid string, mutate ...func(*model.Registration)) model.Registration {
	r := model.Registration{
		UID: uid, App: "com.example.podcasts", ID: "ep-" + uid, Title: "Episode " + uid,
		State: model.StateRunning, RecordsAvailable: true, AllGET: true,
		DownloadTotal: 61_000_000, Downloaded: 25_620_000, CreatedAt: epoch,
	}
	for _, m := range mutate {
		m(&r)
	}
	return r
}
