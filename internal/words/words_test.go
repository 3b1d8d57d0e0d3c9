package words

import (
	"testing"

	"github.com/bgfetch/bgfetch/downloads/model"
)

func TestBytes(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1500: "1.5 kB",
		25_620_000: "26 MB", 9_250_000: "9.2 MB", 3_000_000_000: "3.0 GB"} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestETA(t *testing.T) {
	t.Parallel()
	r := model.Registration{DownloadTotal: 100_000_000, Downloaded: 10_000_000}
	for bps, want := range map[float64]string{0: "", 1e6: "2 min left", 10e6: "9 s left", 1000: "25 h 0 min left", 100: "10 days left", 20_000: "1 h 15 min left"} {
		if got := ETA(r, bps); got != want {
			t.Errorf("ETA at %v B/s = %q, want %q", bps, got, want)
		}
	}
	if got := ETA(model.Registration{Downloaded: 5}, 1e6); got != "" {
		t.Errorf("ETA with unknown total = %q", got)
	}
}

func TestStateWords(t *testing.T) {
	t.Parallel()
	cases := []struct {
		r    model.Registration
		want string
	}{
		{model.Registration{State: model.StateRunning}, "Downloading"},
		{model.Registration{State: model.StateQueued}, "Queued"},
		{model.Registration{State: model.StatePaused}, "Paused"},
		{model.Registration{State: model.StateWaitingNetwork}, "Waiting for network"},
		{model.Registration{Result: model.ResultSuccess}, "Completed"},
		{model.Registration{Result: model.ResultFailure, FailureReason: model.ReasonAborted}, "Cancelled"},
		{model.Registration{Result: model.ResultFailure, FailureReason: model.ReasonFetchError}, "Failed: network error"},
	}
	for _, c := range cases {
		if got := StateWords(c.r); got != c.want {
			t.Errorf("StateWords(%+v) = %q, want %q", c.r, got, c.want)
		}
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	regs := []model.Registration{
		{State: model.StateRunning, Downloaded: 50, DownloadTotal: 100},
		{State: model.StateRunning, Downloaded: 10, KnownTotal: 100},
		{State: model.StateRunning, Downloaded: 999}, // unknown size: not in the percentage
		{State: model.StatePaused, Downloaded: 0, DownloadTotal: 200},
		{Result: model.ResultFailure, FailureReason: model.ReasonBadStatus},
	}
	s := Summarize(regs)
	if s.Active != 4 || s.Running != 3 || s.Paused != 1 || s.Failed != 1 {
		t.Fatalf("summary = %+v", s)
	}
	if got := s.Words(); got != "3 downloading — 15%" {
		t.Fatalf("words = %q", got)
	}
	if got := Summarize(regs[3:4]).Words(); got != "Paused — 0%" {
		t.Fatalf("paused words = %q", got)
	}
	if got := Summarize(regs[4:]).Words(); got != "1 download failed" {
		t.Fatalf("failed words = %q", got)
	}
	if got := Summarize(nil).Words(); got != "No active downloads" {
		t.Fatalf("empty words = %q", got)
	}
}
