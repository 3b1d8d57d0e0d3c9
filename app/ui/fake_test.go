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
	reads    map[string]int // Records calls by uid
	n        int
	settings model.Settings
	patches  []model.RegistrationPatch
}

type fetchCall struct {
	App string
	Req model.FetchRequest
}

func newFakeManager() *fakeManager {
	return &fakeManager{icons: map[string][]byte{}, handlers: map[string]json.RawMessage{}, records: map[string][]model.Record{},
		settings: model.DefaultSettings()}
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
	if f.reads == nil {
		f.reads = map[string]int{}
	}
	f.reads[uid]++
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

func (f *fakeManager) Retry(uid string) (model.Registration, error) {
	f.record("retry " + uid)
	return reg("retry-of-"+uid, func(r *model.Registration) { r.RetryOf = uid; r.CreatedAt = time.Now() }), nil
}

func (f *fakeManager) Update(uid string, p model.RegistrationPatch) (model.Registration, error) {
	f.mu.Lock()
	f.patches = append(f.patches, p)
	f.mu.Unlock()
	r := reg(uid)
	if p.Priority != nil {
		f.record("priority " + uid + " " + string(*p.Priority))
		r.Priority = *p.Priority
	}
	if p.MaxBytesPerSecond != nil {
		f.record(fmt.Sprintf("limit %s %d", uid, *p.MaxBytesPerSecond))
		r.MaxBytesPerSecond = *p.MaxBytesPerSecond
	}
	return r, nil
}

func (f *fakeManager) Settings() model.Settings { return f.settings }

func (f *fakeManager) UpdateSettings(p model.SettingsPatch) (model.Settings, error) {
	b, _ := json.Marshal(p)
	f.record("settings " + string(b))
	s := f.settings
	if p.MaxBytesPerSecond != nil {
		s.MaxBytesPerSecond = *p.MaxBytesPerSecond
	}
	if p.MaxConnections != nil {
		s.MaxConnections = *p.MaxConnections
	}
	if p.ConnectionsPerFile != nil {
		s.ConnectionsPerFile = *p.ConnectionsPerFile
	}
	if p.Schedule != nil {
		s.Schedule = *p.Schedule
	}
	if p.Metered != nil {
		s.Metered = *p.Metered
	}
	if p.Proxy != nil {
		s.Proxy = *p.Proxy
	}
	if p.Notifications != nil {
		s.Notifications = *p.Notifications
	}
	if p.KeepHistoryDays != nil {
		s.KeepHistoryDays = *p.KeepHistoryDays
	}
	f.settings = s
	return s, nil
}
