package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/bgfetch/bgfetch/downloads/model"
)

func newTestView(t testing.TB, mgr Manager, opts Options) (*View, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	v := NewView(mgr, opts)
	w := test.NewWindow(nil)
	v.Attach(w)
	w.Resize(fyne.NewSize(900, 600))
	t.Cleanup(func() { v.Stop(); w.Close() })
	return v, w
}

func rowsOnScreen(w fyne.Window) []*Row {
	var rows []*Row
	for _, o := range test.LaidOutObjects(w.Content()) {
		if r, ok := o.(*Row); ok && r.Visible() && r.UID() != "" {
			rows = append(rows, r)
		}
	}
	return rows
}

func manyRegs(n int) []model.Registration {
	regs := make([]model.Registration, n)
	for i := range regs {
		i := i
		regs[i] = reg(fmt.Sprintf("%04d", i), func(r *model.Registration) {
			r.CreatedAt = epoch.Add(time.Duration(i) * time.Second)
		})
	}
	return regs
}

// TestListIsVirtualized: a thousand fetches create only a screenful of
// row widgets, newest first.
func TestListIsVirtualized(t *testing.T) {
	v, w := newTestView(t, newFakeManager(), Options{})
	v.SetAll(manyRegs(1000))
	v.Redraw()
	rows := rowsOnScreen(w)
	if len(rows) == 0 || len(rows) > 30 {
		t.Fatalf("%d row widgets for 1000 fetches, want a screenful", len(rows))
	}
	if v.Model.Len() != 1000 || v.List.Length() != 1000 {
		t.Fatalf("list length = %d", v.List.Length())
	}
	first, _ := v.Model.At(0)
	if first.Reg.UID != "0999" {
		t.Fatalf("first row = %s, want the newest (0999)", first.Reg.UID)
	}
	if v.Empty.Visible() {
		t.Fatal("empty-state line shown with rows")
	}
	if !strings.HasPrefix(v.Summary.Text, "1,000 downloading") {
		t.Fatalf("summary = %q", v.Summary.Text)
	}
}

// TestEmptyList shows the empty-state line and disables Clear.
func TestEmptyList(t *testing.T) {
	v, _ := newTestView(t, newFakeManager(), Options{})
	if !v.Empty.Visible() || !v.ClearButton.Disabled() {
		t.Fatalf("empty %v, clear disabled %v", v.Empty.Visible(), v.ClearButton.Disabled())
	}
	if v.Summary.Text != "No active downloads" {
		t.Fatalf("summary = %q", v.Summary.Text)
	}
}

// TestListUpdatesAndKeys: an event updates the visible row; Delete cancels
// the selected fetch, Space pauses/resumes it (with and without focus on
// the list); Return activates it.
func TestListUpdatesAndKeys(t *testing.T) {
	mgr := newFakeManager()
	v, w := newTestView(t, mgr, Options{})
	v.SetAll(manyRegs(3))
	v.Redraw()

	v.Update(reg("0001", func(r *model.Registration) {
		r.CreatedAt, r.Downloaded = epoch.Add(time.Second), 61_000_000
		settled(model.ResultSuccess, "")(r)
	}))
	v.Redraw()
	var done *Row
	for _, r := range rowsOnScreen(w) {
		if r.UID() == "0001" {
			done = r
		}
	}
	if done == nil || !strings.HasSuffix(done.status.Text, "Completed") {
		t.Fatalf("row 0001 not updated: %+v", done)
	}

	// Select 0002 (the newest) with a tap, then use the keys.
	v.List.SelectUID("0002")
	w.Canvas().Unfocus()
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeySpace})
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDelete})
	w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyReturn})

	// With focus on the list the list handles the same keys.
	v.Update(reg("0002", func(r *model.Registration) {
		r.CreatedAt, r.State = epoch.Add(2*time.Second), model.StatePaused
	}))
	v.Redraw()
	w.Canvas().Focus(v.List)
	v.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace})
	// A settled fetch is not cancelled again.
	v.List.SelectUID("0001")
	v.List.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDelete})

	want := []string{"pause 0002", "abort 0002", "click 0002", "resume 0002"}
	if got := mgr.Calls(); !slices.Equal(got, want) {
		t.Fatalf("calls = %v, want %v", got, want)
	}
}

// TestSelectionFollowsTheFetch: rows move when newer fetches arrive; the
// selection stays on the same fetch.
func TestSelectionFollowsTheFetch(t *testing.T) {
	v, _ := newTestView(t, newFakeManager(), Options{})
	v.SetAll(manyRegs(3))
	v.Redraw()
	v.List.SelectUID("0000")
	v.Update(reg("new", func(r *model.Registration) { r.CreatedAt = epoch.Add(time.Hour) }))
	v.Redraw()
	if got := v.List.Selected(); got != "0000" {
		t.Fatalf("selected = %q", got)
	}
	if i, _, _ := v.Model.Find("0000"); i != 3 {
		t.Fatalf("0000 at %d", i)
	}
}

// TestClearAndClearAll: Clear forgets one settled fetch, Clear all
// completed forgets every settled one; active ones stay.
func TestClearAndClearAll(t *testing.T) {
	mgr := newFakeManager()
	v, _ := newTestView(t, mgr, Options{})
	regs := manyRegs(4)
	settled(model.ResultSuccess, "")(&regs[0])
	settled(model.ResultFailure, model.ReasonBadStatus)(&regs[1])
	settled(model.ResultFailure, model.ReasonAborted)(&regs[2])
	v.SetAll(regs)
	v.Redraw()
	if v.ClearButton.Disabled() {
		t.Fatal("Clear all disabled with settled rows")
	}
	v.Clear("0000")
	if v.Model.Len() != 3 {
		t.Fatalf("len = %d after Clear", v.Model.Len())
	}
	test.Tap(v.ClearButton)
	if v.Model.Len() != 1 {
		t.Fatalf("len = %d after Clear all", v.Model.Len())
	}
	if it, _ := v.Model.At(0); it.Reg.UID != "0003" {
		t.Fatalf("left %s", it.Reg.UID)
	}
	got := mgr.Calls()
	slices.Sort(got)
	if want := []string{"forget 0000", "forget 0001", "forget 0002"}; !slices.Equal(got, want) {
		t.Fatalf("calls = %v", got)
	}
	if !v.ClearButton.Disabled() {
		t.Fatal("Clear all still enabled")
	}
}

// TestToolbar: Pause all / Resume all reach the manager.
func TestToolbar(t *testing.T) {
	mgr := newFakeManager()
	v, _ := newTestView(t, mgr, Options{})
	test.Tap(v.PauseAllButton)
	test.Tap(v.ResumeAllButton)
	if got := mgr.Calls(); !slices.Equal(got, []string{"pauseall", "resumeall"}) {
		t.Fatalf("calls = %v", got)
	}
}

// TestActivateOpensWithoutHandler: with no handler the Open button also
// opens the destination folder; with one it only fires the click.
func TestActivateOpensWithoutHandler(t *testing.T) {
	mgr := newFakeManager()
	dir := t.TempDir()
	var opened []string
	v, _ := newTestView(t, mgr, Options{OpenPath: func(p string) { opened = append(opened, p) }})
	v.SetAll([]model.Registration{
		reg("a", func(r *model.Registration) { r.Destination = dir }),
		reg("b", func(r *model.Registration) { r.Destination = dir; r.App = "withhandler" }),
	})
	mgr.handlers["withhandler"] = []byte(`{"command":["true"]}`)
	v.Activate("a")
	v.Activate("b")
	if !slices.Equal(opened, []string{dir}) {
		t.Fatalf("opened = %v", opened)
	}
	if got := mgr.Calls(); !slices.Equal(got, []string{"click a", "click b"}) {
		t.Fatalf("calls = %v", got)
	}
}

// TestRedrawsAreThrottled: a storm of progress events from another
// goroutine gives at most ten redraws a second and never blocks the sender.
func TestRedrawsAreThrottled(t *testing.T) {
	v, _ := newTestView(t, newFakeManager(), Options{Interval: 100 * time.Millisecond})
	v.SetAll(manyRegs(50))
	base := v.Redraws()
	v.Start()
	var wg sync.WaitGroup
	start := time.Now()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; time.Since(start) < time.Second; i++ {
			v.Update(reg(fmt.Sprintf("%04d", i%50), func(r *model.Registration) { r.Downloaded = int64(i) }))
		}
	}()
	wg.Wait()
	elapsed := time.Since(start)
	n := v.Redraws() - base
	max := int64(elapsed.Seconds()*10) + 2
	if n == 0 || n > max {
		t.Fatalf("%d redraws in %v, want 1..%d", n, elapsed, max)
	}
}

// TestSpeedExpires: a transfer that stalls (no more progress events) stops
// showing its last speed and time left.
func TestSpeedExpires(t *testing.T) {
	m := NewModel()
	now := epoch
	m.now = func() time.Time { return now }
	r := reg("a", func(r *model.Registration) { r.Downloaded = 0 })
	m.Update(r)
	now = now.Add(time.Second)
	r.Downloaded = 1_000_000
	m.Update(r)
	if it, _ := m.At(0); it.Speed < 900_000 || it.Speed > 1_100_000 {
		t.Fatalf("speed = %v", it.Speed)
	}
	if m.ExpireSpeeds() {
		t.Fatal("fresh speed expired")
	}
	now = now.Add(3 * time.Second)
	if !m.ExpireSpeeds() {
		t.Fatal("stale speed kept")
	}
	it, _ := m.At(0)
	if it.Speed != 0 || strings.Contains(StatusLine(nil, it), "/s") {
		t.Fatalf("after a stall: %v %q", it.Speed, StatusLine(nil, it))
	}
	// Bytes flow again: a new speed from the next two samples.
	now = now.Add(time.Second)
	r.Downloaded = 1_500_000
	m.Update(r)
	if it, _ := m.At(0); it.Speed <= 0 {
		t.Fatalf("speed after resuming = %v", it.Speed)
	}
}

// TestReconcile: a listing adds rows no event announced (queued fetches)
// and drops forgotten ones, without undoing newer event data.
func TestReconcile(t *testing.T) {
	m := NewModel()
	a := reg("a", func(r *model.Registration) { r.Downloaded = 500 })
	m.Update(a)
	m.TakeDirty()
	old := a
	old.Downloaded = 100
	m.Reconcile([]model.Registration{old})
	if m.TakeDirty() {
		t.Fatal("an unchanged listing redraws")
	}
	if it, _ := m.At(0); it.Reg.Downloaded != 500 {
		t.Fatalf("listing undid event data: %d", it.Reg.Downloaded)
	}
	queued := reg("b", func(r *model.Registration) {
		r.State, r.CreatedAt = model.StateQueued, epoch.Add(time.Minute)
	})
	m.Reconcile([]model.Registration{queued})
	if m.Len() != 2 || !m.TakeDirty() {
		t.Fatalf("len %d", m.Len())
	}
	if it, _ := m.At(0); it.Reg.UID != "b" {
		t.Fatalf("row = %s", it.Reg.UID)
	}
	// "a" settles and is forgotten by another client: it goes.
	a.Result, a.State = model.ResultSuccess, model.StateSettled
	m.Update(a)
	m.Reconcile([]model.Registration{queued})
	if m.Len() != 1 {
		t.Fatalf("forgotten row kept: len %d", m.Len())
	}
}
