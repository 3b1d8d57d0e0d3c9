package words

import (
	"math"
	"strconv"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// The package-level functions speak English: they are the CLI's wording
// (the CLI stays English). The desktop surfaces call the same methods on
// the Words of the user's language.

// StateWords says where a registration is, in English (see Words.State).
func StateWords(r model.Registration) string { return English.State(r) }

// ReasonWords turns a failure reason into English words (Words.Reason).
func ReasonWords(reason model.FailureReason) string { return English.Reason(reason) }

// Bytes formats a byte count in English (Words.Bytes).
func Bytes(n int64) string { return English.Bytes(n) }

// Speed formats bytes per second in English (Words.Speed).
func Speed(bps float64) string { return English.Speed(bps) }

// ETA formats the time left in English (Words.ETA).
func ETA(r model.Registration, bps float64) string { return English.ETA(r, bps) }

// Amount is "12 MB of 61 MB" in English (Words.Amount).
func Amount(r model.Registration) string { return English.Amount(r) }

// State says where a registration is, in the words a person reads in the
// window, the tray and notifications: Downloading, Waiting for network,
// Paused, Queued, Completed, Failed: <reason in words>, Cancelled.
func (w *Words) State(r model.Registration) string {
	switch r.Result {
	case model.ResultSuccess:
		return w.T("state.completed")
	case model.ResultFailure:
		if r.FailureReason == model.ReasonAborted {
			return w.T("state.cancelled")
		}
		return w.T("state.failed", map[string]any{"Reason": w.Reason(r.FailureReason)})
	}
	switch r.State {
	case model.StateQueued:
		return w.T("state.queued")
	case model.StatePaused:
		return w.T("state.paused")
	case model.StateWaitingNetwork:
		switch r.WaitReason {
		case model.WaitRetry:
			return w.T("state.waiting.retry")
		case model.WaitMetered:
			return w.T("state.waiting.metered")
		case model.WaitSchedule:
			return w.T("state.waiting.schedule")
		}
		return w.T("state.waiting.network")
	case model.StateSettled:
		return w.T("state.finishing")
	}
	return w.T("state.downloading")
}

// Reason turns a failure reason into words (spec A.5).
func (w *Words) Reason(reason model.FailureReason) string {
	switch reason {
	case model.ReasonAborted:
		return w.T("reason.aborted")
	case model.ReasonBadStatus:
		return w.T("reason.bad-status")
	case model.ReasonFetchError:
		return w.T("reason.fetch-error")
	case model.ReasonQuotaExceeded:
		return w.T("reason.quota-exceeded")
	case model.ReasonDownloadTotalExceeded:
		return w.T("reason.download-total-exceeded")
	case model.ReasonNone:
		return w.T("reason.none")
	}
	return string(reason)
}

// Total is the size the progress bar measures against: downloadTotal, else
// the sum of the lengths the servers announced, else 0 (unknown: an
// activity bar).
func Total(r model.Registration) int64 {
	if r.DownloadTotal > 0 {
		return r.DownloadTotal
	}
	return r.KnownTotal
}

// Fraction is the progress in [0,1], and false when the total is unknown.
func Fraction(r model.Registration) (float64, bool) {
	t := Total(r)
	if t <= 0 {
		if r.Result == model.ResultSuccess {
			return 1, true
		}
		return 0, false
	}
	f := float64(r.Downloaded) / float64(t)
	if f > 1 {
		f = 1
	}
	if f < 0 {
		f = 0
	}
	return f, true
}

var byteUnits = []string{"kB", "MB", "GB", "TB", "PB"}

// Bytes formats a byte count the way file managers do (decimal units),
// with the language's decimal mark: 9.2 MB, 9,2 MB.
func (w *Words) Bytes(n int64) string {
	if n < 1000 {
		return w.T("unit.bytes", map[string]any{"N": w.Int(n)})
	}
	v := float64(n)
	i := -1
	for v >= 1000 && i < len(byteUnits)-1 {
		v /= 1000
		i++
	}
	num := w.Int(int64(math.Round(v)))
	if v < 10 {
		num = w.Decimal(v)
		if num == w.Decimal(10) { // 9.96 rounds up: 10 MB, not 10.0 MB
			num = w.Int(10)
		}
	}
	return num + " " + byteUnits[i]
}

// Speed formats bytes per second; "" when there is nothing to show.
func (w *Words) Speed(bps float64) string {
	if bps <= 0 || math.IsNaN(bps) || math.IsInf(bps, 0) {
		return ""
	}
	return w.T("unit.speed", map[string]any{"Size": w.Bytes(int64(bps))})
}

// ETA formats the time left at the current speed; "" when unknown.
func (w *Words) ETA(r model.Registration, bps float64) string {
	t := Total(r)
	if t <= 0 || bps <= 0 || r.Downloaded >= t {
		return ""
	}
	left := time.Duration(float64(t-r.Downloaded) / bps * float64(time.Second))
	switch {
	case left < time.Minute:
		return w.N("eta.seconds", int(left.Seconds()+0.5))
	case left < time.Hour:
		return w.N("eta.minutes", int(left.Minutes()+0.5))
	case left < 48*time.Hour:
		h := int(left.Hours())
		m := int(left.Minutes()) - 60*h
		return w.T("eta.hours", map[string]any{"H": w.Int(int64(h)), "M": w.Int(int64(m))})
	}
	return w.N("eta.days", int(left.Hours()/24+0.5))
}

// Amount is "12 MB of 61 MB", or "12 MB" when the total is unknown.
func (w *Words) Amount(r model.Registration) string {
	t := Total(r)
	if t > 0 {
		return w.T("amount.of", map[string]any{"Done": w.Bytes(r.Downloaded), "Total": w.Bytes(t)})
	}
	return w.Bytes(r.Downloaded)
}

// Percent writes a percentage the language's way: 42% · 42 %.
func (w *Words) Percent(p int) string {
	return w.T("unit.percent", map[string]any{"N": w.Int(int64(p))})
}

// DisplayTitle is the fetch's title, else its id.
func DisplayTitle(r model.Registration) string {
	if r.Title != "" {
		return r.Title
	}
	return r.ID
}

// Percent is the integer percentage, and false when the total is unknown.
func Percent(r model.Registration) (int, bool) {
	f, ok := Fraction(r)
	if !ok {
		return 0, false
	}
	return int(f * 100), true
}

func Itoa(i int) string { return strconv.Itoa(i) }

// Summary is the aggregate of the active fetches: how many, and the
// overall progress (false when no total is known).
type Summary struct {
	Active, Running, Paused, Waiting, Queued, Failed int
	Downloaded, Total                                int64
}

// Summarize aggregates a list of registrations.
func Summarize(regs []model.Registration) Summary {
	var s Summary
	for _, r := range regs {
		s.Add(r)
	}
	return s
}

// Add counts one more registration in.
func (s *Summary) Add(r model.Registration) {
	if !r.Active() {
		if r.Result == model.ResultFailure && r.FailureReason != model.ReasonAborted {
			s.Failed++
		}
		return
	}
	s.Active++
	switch r.State {
	case model.StatePaused:
		s.Paused++
	case model.StateWaitingNetwork:
		s.Waiting++
	case model.StateQueued:
		s.Queued++
	default:
		s.Running++
	}
	if t := Total(r); t > 0 {
		s.Downloaded += r.Downloaded
		s.Total += t
	}
}

// Words is the one-line aggregate in English (Words.Summary).
func (s Summary) Words() string { return English.Summary(s) }

// Summary is a one-line aggregate: "2 downloading — 41%", "Paused",
// "No active downloads".
func (w *Words) Summary(s Summary) string {
	if s.Active == 0 {
		if s.Failed > 0 {
			return w.N("summary.failed", s.Failed)
		}
		return w.T("summary.none")
	}
	var head string
	switch {
	case s.Running > 0:
		head = w.N("summary.downloading", s.Running)
	case s.Waiting > 0:
		head = w.T("summary.waiting")
	case s.Paused > 0:
		head = w.T("summary.paused")
	default:
		head = w.T("summary.queued")
	}
	if s.Total > 0 {
		p := int(float64(s.Downloaded) / float64(s.Total) * 100)
		if p > 100 {
			p = 100
		}
		head += " — " + w.Percent(p)
	}
	return head
}
