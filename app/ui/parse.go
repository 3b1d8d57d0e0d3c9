package ui

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// ParseRate reads a speed as the settings and the details pane take it:
// bytes per second, or with k, M or G (powers of 1024, as curl's
// --limit-rate and bgfetch's CLI): "500k", "2M", "1.5G". An optional B
// and "/s" are allowed; "" and "0" mean no limit. The error is in the
// language of w.
func ParseRate(w *words.Words, text string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(text))
	bad := errText(w.T("err.rate", map[string]any{"Value": strings.TrimSpace(text)}))
	if s == "" {
		return 0, nil
	}
	s = strings.TrimSuffix(s, "/s")
	s = strings.TrimSuffix(s, "b")
	s = strings.TrimSpace(s)
	mult := 1.0
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		}
		if mult > 1 {
			s = strings.TrimSpace(s[:n-1])
		}
	}
	s = strings.Replace(s, ",", ".", 1) // 1,5M as the German and Spanish write it
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || v*mult > math.MaxInt64/2 {
		return 0, bad
	}
	return int64(math.Round(v * mult)), nil
}

// FormatRate writes a speed the way ParseRate reads it back: 512000 → 500k.
func FormatRate(bps int64) string {
	for _, u := range []struct {
		n    int64
		unit string
	}{{1 << 30, "G"}, {1 << 20, "M"}, {1 << 10, "k"}} {
		if bps >= u.n && (bps*10)%u.n == 0 { // at most one decimal
			return strconv.FormatFloat(float64(bps)/float64(u.n), 'f', -1, 64) + u.unit
		}
	}
	return strconv.FormatInt(bps, 10)
}

var dayNames = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// ParseSchedule reads the settings' schedule box: one window a line,
// "DAYS FROM-TO WHAT", where DAYS is mon … sun as a list (sat,sun), a range
// (mon-fri) or daily; FROM and TO are HH:MM (TO before FROM spans
// midnight); WHAT is a speed (500k; 0 for none) or paused. Blank lines
// and lines starting with # are skipped.
func ParseSchedule(w *words.Words, text string) ([]model.ScheduleWindow, error) {
	out := []model.ScheduleWindow{}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		win, why := parseWindow(w, line)
		if why != "" {
			return nil, errText(w.T("err.scheduleLine", map[string]any{"Line": n + 1, "Why": why}))
		}
		out = append(out, win)
	}
	if len(out) > model.MaxScheduleWindows {
		return nil, errors.New(w.T("err.wholeNumber", map[string]any{"Min": 0, "Max": model.MaxScheduleWindows}))
	}
	return out, nil
}

func parseWindow(w *words.Words, line string) (model.ScheduleWindow, string) {
	f := strings.Fields(strings.ToLower(line))
	var win model.ScheduleWindow
	if len(f) != 3 {
		return win, w.T("err.scheduleWhat")
	}
	days, ok := parseDays(f[0])
	if !ok {
		return win, w.T("err.scheduleDays")
	}
	from, to, ok := strings.Cut(f[1], "-")
	if !ok || !isClock(from) || !isClock(to) {
		return win, w.T("err.scheduleTime")
	}
	win = model.ScheduleWindow{Days: days, From: from, To: to}
	if f[2] == "paused" || f[2] == "pause" {
		win.Paused = true
		return win, ""
	}
	n, err := ParseRate(w, f[2])
	if err != nil {
		return win, w.T("err.scheduleWhat")
	}
	win.MaxBytesPerSecond = n
	return win, ""
}

func parseDays(s string) ([]string, bool) {
	if s == "daily" || s == "mon-sun" {
		return slices.Clone(dayNames), true
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		i, j := slices.Index(dayNames, a), slices.Index(dayNames, b)
		switch {
		case !isRange && i >= 0:
			out = append(out, a)
		case isRange && i >= 0 && j >= i:
			out = append(out, dayNames[i:j+1]...)
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}

func isClock(s string) bool {
	h, m, ok := strings.Cut(s, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	return err1 == nil && err2 == nil && hh >= 0 && hh < 24 && mm >= 0 && mm < 60
}

// FormatSchedule writes windows the way ParseSchedule reads them.
func FormatSchedule(ws []model.ScheduleWindow) string {
	var lines []string
	for _, win := range ws {
		what := FormatRate(win.MaxBytesPerSecond)
		if win.Paused {
			what = "paused"
		}
		lines = append(lines, formatDays(win.Days)+" "+win.From+"-"+win.To+" "+what)
	}
	return strings.Join(lines, "\n")
}

// formatDays writes a day list compactly: mon-fri, sat,sun, daily.
func formatDays(days []string) string {
	idx := []int{}
	for _, d := range days {
		if i := slices.Index(dayNames, d); i >= 0 && !slices.Contains(idx, i) {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	if len(idx) == 7 {
		return "daily"
	}
	var parts []string
	for k := 0; k < len(idx); {
		e := k
		for e+1 < len(idx) && idx[e+1] == idx[e]+1 {
			e++
		}
		if e-k >= 2 {
			parts = append(parts, dayNames[idx[k]]+"-"+dayNames[idx[e]])
		} else {
			for i := k; i <= e; i++ {
				parts = append(parts, dayNames[idx[i]])
			}
		}
		k = e + 1
	}
	return strings.Join(parts, ",")
}

// ParseCount reads a whole number from min to max (an error naming the
// range, in the language of w, otherwise).
func ParseCount(w *words.Words, text string, min, max int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < min || n > max {
		return 0, errText(w.T("err.wholeNumber", map[string]any{"Min": min, "Max": max}))
	}
	return n, nil
}
