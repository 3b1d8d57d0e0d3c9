package downloads

import (
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// Gates keep a fetch from transferring for a while without failing it: a
// schedule window with paused: true (every fetch), and a metered network
// for fetches whose metered policy is "wait". A gated fetch is
// waiting-network with the gate as its waitReason; its running transfers
// stop at once (errGated) and resume from their checkpoints when the gate
// opens.

// gate is why f may not transfer now, "" when it may. m.mu held.
func (m *Manager) gate(f *fetch) model.WaitReason {
	switch {
	case m.schedPaused:
		return model.WaitSchedule
	case m.metered && f.reg.Metered == model.MeteredWait:
		return model.WaitMetered
	}
	return model.WaitNone
}

// reconsider applies a change of gates, limits or connection counts:
// transfers that must stop are stopped, every active fetch gets another
// look from the scheduler. m.mu held.
func (m *Manager) reconsider() {
	for _, f := range m.order {
		m.stopIfGated(f)
		m.markReady(f)
	}
	m.schedule()
}

// stopIfGated stops f's running transfers when a gate holds it. m.mu held.
func (m *Manager) stopIfGated(f *fetch) {
	if m.gate(f) == model.WaitNone {
		return
	}
	for _, r := range f.recs {
		if r.running {
			r.cancel(errGated)
		}
	}
}

// scheduleEffect is what the schedule windows say at now: whether
// everything is paused, and the global rate inside a window (-1: no
// window applies; 0: no limit).
func scheduleEffect(windows []model.ScheduleWindow, now time.Time) (paused bool, rate int64) {
	rate = -1
	minute := now.Hour()*60 + now.Minute()
	today, yesterday := now.Weekday(), (now.Weekday()+6)%7
	for _, w := range windows {
		if !windowCovers(w, today, yesterday, minute) {
			continue
		}
		if w.Paused {
			paused = true
		}
		switch {
		case rate == -1:
			rate = w.MaxBytesPerSecond
		case w.MaxBytesPerSecond > 0 && (rate == 0 || w.MaxBytesPerSecond < rate):
			rate = w.MaxBytesPerSecond
		}
	}
	return paused, rate
}

// windowCovers reports whether w covers minute (of the day) on today; a
// window whose end is before its start runs past midnight into the next
// day, and one whose start equals its end covers the whole day.
func windowCovers(w model.ScheduleWindow, today, yesterday time.Weekday, minute int) bool {
	from, _ := clockMinutes(w.From)
	to, _ := clockMinutes(w.To)
	on := func(d time.Weekday) bool {
		for _, name := range w.Days {
			if weekdays[name] == d {
				return true
			}
		}
		return false
	}
	switch {
	case from < to:
		return on(today) && minute >= from && minute < to
	case from > to:
		return on(today) && minute >= from || on(yesterday) && minute < to
	}
	return on(today)
}

// applySchedule sets the global rate and the schedule's pause for now,
// and reconsiders the fetches when the pause changed.
func (m *Manager) applySchedule(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	paused, rate := scheduleEffect(m.settings.Schedule, now)
	if rate < 0 {
		rate = m.settings.MaxBytesPerSecond
	}
	m.global.SetRate(rate)
	if paused != m.schedPaused {
		m.schedPaused = paused
		m.log.Info("schedule", "paused", paused)
		m.reconsider()
	}
}

// setMetered records whether the network is metered now.
func (m *Manager) setMetered(metered bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if metered == m.metered {
		return
	}
	m.metered = metered
	m.log.Info("network", "metered", metered)
	m.reconsider()
}
