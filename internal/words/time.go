package words

import "time"

// timeFormat is how a language writes dates and clock times (Go layouts
// from the catalogue: format.date, format.time).
type timeFormat struct{ date, clock string }

// When writes a moment of the history: the clock time for today, the date
// and time before that ("14:03", "12.03.2026 14:03").
func (w *Words) When(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	y1, m1, d1 := t.Date()
	y2, m2, d2 := now.Date()
	if y1 == y2 && m1 == m2 && d1 == d2 {
		return t.Format(w.times.clock)
	}
	return t.Format(w.times.date) + " " + t.Format(w.times.clock)
}
