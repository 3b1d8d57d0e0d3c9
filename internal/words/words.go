package words

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// StateWords says where a registration is, in the words a person reads in
// the window, the tray and notifications: Downloading, Waiting for network,
// Paused, Queued, Completed, Failed: <reason in words>, Cancelled.
func StateWords(r model.Registration) string {
	switch r.Result {
	case model.ResultSuccess:
		return "Completed"
	case model.ResultFailure:
		if r.FailureReason == model.ReasonAborted {
			return "Cancelled"
		}
		return "Failed: " + ReasonWords(r.FailureReason)
	}
	switch r.State {
	case model.StateQueued:
		return "Queued"
	case model.StatePaused:
		return "Paused"
	case model.StateWaitingNetwork:
		return "Waiting for network"
	case model.StateSettled:
		return "Finishing"
	}
	return "Downloading"
}

// ReasonWords turns a failure reason into words (spec A.5).
func ReasonWords(reason model.FailureReason) string {
	switch reason {
	case model.ReasonAborted:
		return "cancelled"
	case model.ReasonBadStatus:
		return "the server answered with an error"
	case model.ReasonFetchError:
		return "network error"
	case model.ReasonQuotaExceeded:
		return "not enough storage space"
	case model.ReasonDownloadTotalExceeded:
		return "larger than the app announced"
	case model.ReasonNone:
		return "unknown error"
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

// Bytes formats a byte count the way file managers do (decimal units).
func Bytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	units := []string{"kB", "MB", "GB", "TB", "PB"}
	v := float64(n)
	i := -1
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	if v < 10 {
		return fmt.Sprintf("%.1f %s", v, units[i])
	}
	return fmt.Sprintf("%.0f %s", v, units[i])
}

// Speed formats bytes per second; "" when there is nothing to show.
func Speed(bps float64) string {
	if bps <= 0 || math.IsNaN(bps) || math.IsInf(bps, 0) {
		return ""
	}
	return Bytes(int64(bps)) + "/s"
}

// ETA formats the time left at the current speed; "" when unknown.
func ETA(r model.Registration, bps float64) string {
	t := Total(r)
	if t <= 0 || bps <= 0 || r.Downloaded >= t {
		return ""
	}
	left := time.Duration(float64(t-r.Downloaded) / bps * float64(time.Second))
	switch {
	case left < time.Minute:
		return fmt.Sprintf("%d s left", int(left.Seconds()+0.5))
	case left < time.Hour:
		return fmt.Sprintf("%d min left", int(left.Minutes()+0.5))
	case left < 48*time.Hour:
		h := int(left.Hours())
		m := int(left.Minutes()) - 60*h
		return fmt.Sprintf("%d h %d min left", h, m)
	}
	return fmt.Sprintf("%d days left", int(left.Hours()/24+0.5))
}

// Amount is "12 MB of 61 MB", or "12 MB" when the total is unknown.
func Amount(r model.Registration) string {
	t := Total(r)
	if t > 0 {
		return Bytes(r.Downloaded) + " of " + Bytes(t)
	}
	return Bytes(r.Downloaded)
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
		if !r.Active() {
			if r.Result == model.ResultFailure && r.FailureReason != model.ReasonAborted {
				s.Failed++
			}
			continue
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
	return s
}

// Words is a one-line aggregate: "2 downloading — 41%", "Paused",
// "No downloads".
func (s Summary) Words() string {
	if s.Active == 0 {
		if s.Failed > 0 {
			if s.Failed == 1 {
				return "1 download failed"
			}
			return Itoa(s.Failed) + " downloads failed"
		}
		return "No active downloads"
	}
	var head string
	switch {
	case s.Running > 0:
		head = Itoa(s.Running) + " downloading"
	case s.Waiting > 0:
		head = "Waiting for network"
	case s.Paused > 0:
		head = "Paused"
	default:
		head = "Queued"
	}
	if s.Total > 0 {
		p := int(float64(s.Downloaded) / float64(s.Total) * 100)
		if p > 100 {
			p = 100
		}
		head += " — " + Itoa(p) + "%"
	}
	return head
}
