package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// TestActiveFirstThenHistory: active fetches come first, newest first;
// the settled ones follow, newest first; a fetch that settles moves down
// to the history.
func TestActiveFirstThenHistory(t *testing.T) {
	m := NewModel()
	at := func(min int) func(*model.Registration) {
		return func(r *model.Registration) { r.CreatedAt = epoch.Add(time.Duration(min) * time.Minute) }
	}
	m.Set([]model.Registration{
		reg("old-active", at(1)),
		reg("new-done", at(9), settled(model.ResultSuccess, "")),
		reg("new-active", at(5)),
		reg("old-done", at(2), settled(model.ResultFailure, model.ReasonFetchError)),
	})
	order := func() string {
		s := ""
		for i := 0; i < m.Len(); i++ {
			it, _ := m.At(i)
			s += it.Reg.UID + " "
		}
		return s
	}
	if got := order(); got != "new-active old-active new-done old-done " {
		t.Fatalf("order %q", got)
	}
	m.Update(reg("new-active", at(5), settled(model.ResultSuccess, "")))
	if got := order(); got != "old-active new-done new-active old-done " {
		t.Fatalf("after settling: %q", got)
	}
}

// TestSearch: the query matches title, id, app, file names and the state
// in the user's words, case-insensitively, every word; "" shows all.
func TestSearch(t *testing.T) {
	mgr := newFakeManager()
	mgr.records["b"] = []model.Record{{Request: model.Request{URL: "https://maps.test/bavaria-2026.osm.pbf"}}}
	v, _ := newTestView(t, mgr, Options{Words: words.New("de")})
	v.SetAll([]model.Registration{
		reg("a", func(r *model.Registration) { r.Title = "Episode 5"; r.CreatedAt = epoch.Add(3 * time.Minute) }),
		reg("b", func(r *model.Registration) {
			r.Title = "Karte"
			r.App = "org.example.maps"
			r.CreatedAt = epoch.Add(2 * time.Minute)
		}),
		reg("c", func(r *model.Registration) { r.Title = "Episode 6"; r.CreatedAt = epoch.Add(time.Minute) },
			settled(model.ResultFailure, model.ReasonFetchError)),
	})
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"", []string{"a", "b", "c"}},
		{"episode", []string{"a", "c"}},
		{"EPISODE 6", []string{"c"}},
		{"maps", []string{"b"}},
		{"bavaria", []string{"b"}},        // a file name
		{"fehlgeschlagen", []string{"c"}}, // the state, in German
		{"heruntergeladen", []string{"a", "b"}},
		{"nothing-like-this", nil},
		{"6", []string{"c"}},            // the start of a word: "Episode 6", not in "ep-a"
		{"pisode", nil},                 // not the start of a word
		{"bavaria-2026", []string{"b"}}, // with punctuation: as written
	} {
		v.Search.SetText(c.q)
		var got []string
		for i := 0; i < v.List.Length(); i++ {
			it, _ := v.Model.At(i)
			got = append(got, it.Reg.UID)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("search %q = %v, want %v", c.q, got, c.want)
		}
		if len(c.want) == 0 && (!v.Empty.Visible() || v.Empty.Text != "Nichts passt zu „"+c.q+"“.") {
			t.Errorf("no-match line %v %q", v.Empty.Visible(), v.Empty.Text)
		}
	}
	// A search hides the selection's row: the selection goes.
	v.Search.SetText("")
	v.List.SelectUID("b")
	v.Search.SetText("episode")
	if v.List.Selected() != "" || v.Details.Visible() {
		t.Fatalf("hidden row still selected: %q", v.List.Selected())
	}
}

// tenThousandSettled is a view holding 10,000 settled fetches titled
// "Episode 0" to "Episode 9999", drawn once.
func tenThousandSettled(tb testing.TB) *View {
	v, _ := newTestView(tb, newFakeManager(), Options{})
	regs := make([]model.Registration, 10_000)
	for i := range regs {
		regs[i] = reg(fmt.Sprintf("%05d", i), func(r *model.Registration) {
			r.Title = fmt.Sprintf("Episode %d", i)
			r.CreatedAt = epoch.Add(time.Duration(i) * time.Second)
		}, settled(model.ResultSuccess, ""))
	}
	v.SetAll(regs)
	v.Redraw()
	return v
}

// TestSearchTenThousand: over 10,000 kept registrations each search shows
// exactly the rows it matches. How long it takes is
// BenchmarkSearchTenThousand's, and the window's frames under search are
// BenchmarkHistory's (e2e/desktop): a timed unit test would fail on a
// busy machine, not on slow code.
func TestSearchTenThousand(t *testing.T) {
	v := tenThousandSettled(t)
	for _, c := range []struct {
		q    string
		want int
	}{
		{"e", 10_000},       // "Episode", "example"
		{"ep", 10_000},      // "Episode", the id "ep-…"
		{"episode 99", 111}, // 99, 990-999, 9900-9999
		{"episode 999", 11}, // 999, 9990-9999
		{"episode 9999", 1},
		{"", 10_000},
		{"completed", 10_000}, // the state, in words
		{"x", 0},              // inside "example", not the start of a word
	} {
		v.Search.SetText(c.q)
		if got := v.List.Length(); got != c.want {
			t.Errorf("search %q: %d rows, want %d", c.q, got, c.want)
		}
	}
	v.Search.SetText("episode 9999")
	if it, _ := v.Model.At(0); it.Reg.Title != "Episode 9999" {
		t.Fatalf("search \"episode 9999\" shows %q", it.Reg.Title)
	}
}

// BenchmarkSearchTenThousand: one search and the redraw after it over
// 10,000 kept registrations (the frame budget is 100 ms).
func BenchmarkSearchTenThousand(b *testing.B) {
	v := tenThousandSettled(b)
	queries := []string{"e", "ep", "episode 99", "episode 999", "episode 9999", "", "completed", "x"}
	for i := 0; b.Loop(); i++ { // b.Loop times the loop only
		v.Search.SetText(queries[i%len(queries)]) // filters and redraws
	}
}

// TestWarmKeys: WarmKeys reads the file names of settled fetches ahead of
// a search, once each; an active fetch's are read when a search needs
// them (they may still change); the search then finds by them.
func TestWarmKeys(t *testing.T) {
	mgr := newFakeManager()
	mgr.records["done"] = []model.Record{{Request: model.Request{URL: "https://maps.test/bavaria-2026.osm.pbf"}}}
	mgr.records["run"] = []model.Record{{Request: model.Request{URL: "https://maps.test/saxony.osm.pbf"}}}
	v, _ := newTestView(t, mgr, Options{})
	v.SetAll([]model.Registration{reg("done", settled(model.ResultSuccess, "")), reg("run")})
	v.Model.WarmKeys()
	reads := func(uid string) int {
		mgr.mu.Lock()
		defer mgr.mu.Unlock()
		return mgr.reads[uid]
	}
	if reads("done") != 1 || reads("run") != 0 {
		t.Fatalf("warmed: %d reads of the settled fetch, %d of the active one", reads("done"), reads("run"))
	}
	for q, want := range map[string]string{"bavaria": "done", "saxony": "run"} {
		v.Search.SetText(q)
		if v.List.Length() != 1 {
			t.Fatalf("search %q: %d rows", q, v.List.Length())
		}
		if it, _ := v.Model.At(0); it.Reg.UID != want {
			t.Fatalf("search %q found %s", q, it.Reg.UID)
		}
	}
	if reads("done") != 1 || reads("run") != 1 {
		t.Fatalf("after the searches: %d and %d reads, want 1 each", reads("done"), reads("run"))
	}
}
