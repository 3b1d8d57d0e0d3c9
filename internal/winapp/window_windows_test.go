package winapp

import (
	"errors"
	"testing"
	"time"
)

// The instance window answers Show, Click and the session's end, each for
// its own data directory only; EndSession returns after the handler did.
func TestInstanceWindow(t *testing.T) {
	dir := `C:\users\test\bgfetch-` + t.Name()
	shown := make(chan bool, 1)
	clicked := make(chan string, 1)
	ended := make(chan time.Time, 1)
	stop, err := Listen(dir, Handlers{
		Show:  func() { shown <- true },
		Click: func(uid string) { clicked <- uid },
		EndSession: func() {
			time.Sleep(300 * time.Millisecond) // a checkpoint takes a while
			ended <- time.Now()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := Show(dir); err != nil {
		t.Fatal(err)
	}
	if !<-shown {
		t.Fatal("not shown")
	}
	if err := Click(dir, "r_0123456789abcdef01234567"); err != nil {
		t.Fatal(err)
	}
	if uid := <-clicked; uid != "r_0123456789abcdef01234567" {
		t.Fatalf("clicked %q", uid)
	}
	if err := Click(dir, "not-a-uid"); err == nil {
		t.Fatal("a malformed uid was accepted")
	}
	if err := Show(dir + "-other"); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("another data dir: %v", err)
	}
	if err := EndSession(dir, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case at := <-ended:
		if time.Since(at) < 0 {
			t.Fatal("clock")
		}
	default:
		t.Fatal("EndSession returned before the shutdown finished")
	}
	// A second end (WM_CLOSE after log-off) does not run it again.
	if err := EndSession(dir, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ended:
		t.Fatal("EndSession ran twice")
	default:
	}
	// stop destroys the window: nothing answers for dir any more.
	stop()
	stop()
	if err := Show(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("after stop: %v", err)
	}
}

// A handler left nil refuses its message.
func TestInstanceWindowRefusesUnset(t *testing.T) {
	dir := `C:\users\test\bgfetch-` + t.Name()
	if _, err := Listen(dir, Handlers{}); err != nil {
		t.Fatal(err)
	}
	if err := Show(dir); err == nil || errors.Is(err, ErrNotRunning) {
		t.Fatalf("Show without a handler: %v", err)
	}
}
