package downloads

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	bgproxy "github.com/bgfetch/bgfetch/internal/proxy"
	"github.com/bgfetch/bgfetch/persistence"
)

// The daemon's settings (api.md "Settings") live in the store under the
// meta key "settings"; the Manager holds the current ones (m.settings,
// under m.mu) and applies a change to running transfers at once.

const settingsKey = "settings"

// loadSettings reads the stored settings over the defaults; Config's
// overrides (serve flags) apply for this run only.
func (m *Manager) loadSettings() error {
	s := model.DefaultSettings()
	err := m.store.View(func(tx *persistence.Tx) error {
		doc, err := tx.Meta(settingsKey)
		if errors.Is(err, persistence.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(doc, &s)
	})
	if err != nil {
		return fmt.Errorf("read the settings: %w", err)
	}
	if err := validateSettings(s); err != nil {
		m.log.Error("stored settings are invalid; using the defaults", "err", err)
		s = model.DefaultSettings()
	}
	if s.Schedule == nil {
		s.Schedule = []model.ScheduleWindow{}
	}
	m.stored = s
	if m.cfg.MaxConnections > 0 {
		s.MaxConnections = m.cfg.MaxConnections
	}
	m.settings = s
	return nil
}

// Settings are the daemon's current settings.
func (m *Manager) Settings() model.Settings {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.settings
	s.Schedule = append([]model.ScheduleWindow{}, s.Schedule...)
	return s
}

// UpdateSettings applies a patch: every field is checked first (a bad one
// is a TypeError naming it, and nothing changes), then the result is
// stored and applied to running transfers.
func (m *Manager) UpdateSettings(p model.SettingsPatch) (model.Settings, error) {
	m.settingsMu.Lock()
	defer m.settingsMu.Unlock()
	m.mu.Lock()
	stored, s := m.stored, m.settings
	m.mu.Unlock()
	// The stored settings take the patch; so do this run's, where a serve
	// flag may override one (until the patch sets that one itself).
	applySettingsPatch(&stored, p)
	applySettingsPatch(&s, p)
	if err := validateSettings(s); err != nil {
		return model.Settings{}, err
	}
	if err := validateSettings(stored); err != nil {
		return model.Settings{}, err
	}
	doc, _ := json.Marshal(stored) // a plain struct: Marshal cannot fail
	if err := m.store.Update(func(tx *persistence.Tx) error { return tx.PutMeta(settingsKey, doc) }); err != nil {
		return model.Settings{}, fmt.Errorf("store the settings: %w", err)
	}
	m.mu.Lock()
	old := m.settings
	m.stored, m.settings = stored, s
	m.mu.Unlock()
	if old.Proxy != s.Proxy {
		if err := m.useProxy(s.Proxy); err != nil {
			m.log.Error("apply the proxy setting", "err", err)
		}
	}
	m.applySchedule(time.Now())
	m.mu.Lock()
	m.reconsider()
	m.mu.Unlock()
	return m.Settings(), nil
}

func applySettingsPatch(s *model.Settings, p model.SettingsPatch) {
	if p.MaxConnections != nil {
		s.MaxConnections = *p.MaxConnections
	}
	if p.MaxBytesPerSecond != nil {
		s.MaxBytesPerSecond = *p.MaxBytesPerSecond
	}
	if p.ConnectionsPerFile != nil {
		s.ConnectionsPerFile = *p.ConnectionsPerFile
	}
	if p.Schedule != nil {
		s.Schedule = append([]model.ScheduleWindow{}, *p.Schedule...)
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
}

// validateSettings checks every field; the error names the first bad one.
func validateSettings(s model.Settings) error {
	switch {
	case s.MaxConnections < 1 || s.MaxConnections > model.MaxGlobalConnections:
		return model.TypeErrorf("maxConnections must be 1 to %d, not %d", model.MaxGlobalConnections, s.MaxConnections)
	case s.MaxBytesPerSecond < 0:
		return model.TypeErrorf("maxBytesPerSecond must be 0 (no limit) or more, not %d", s.MaxBytesPerSecond)
	case s.ConnectionsPerFile < 0 || s.ConnectionsPerFile > model.MaxConnectionsPerFile:
		return model.TypeErrorf("connectionsPerFile must be 0 (automatic) to %d, not %d", model.MaxConnectionsPerFile, s.ConnectionsPerFile)
	case s.Metered != model.MeteredAllow && s.Metered != model.MeteredWait:
		return model.TypeErrorf(`metered must be "allow" or "wait", not %q`, s.Metered)
	case s.KeepHistoryDays < 1 || s.KeepHistoryDays > model.MaxKeepHistoryDays:
		return model.TypeErrorf("keepHistoryDays must be 1 to %d, not %d", model.MaxKeepHistoryDays, s.KeepHistoryDays)
	case len(s.Schedule) > model.MaxScheduleWindows:
		return model.TypeErrorf("schedule has %d windows; the limit is %d", len(s.Schedule), model.MaxScheduleWindows)
	}
	for i, w := range s.Schedule {
		if err := validateWindow(w); err != nil {
			return model.TypeErrorf("schedule[%d]: %s", i, err)
		}
	}
	return validateProxy(s.Proxy)
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func validateWindow(w model.ScheduleWindow) error {
	if len(w.Days) == 0 {
		return errors.New(`days must list at least one of "mon" … "sun"`)
	}
	for _, d := range w.Days {
		if _, ok := weekdays[d]; !ok {
			return fmt.Errorf(`days: %q is not one of "mon", "tue", "wed", "thu", "fri", "sat", "sun"`, d)
		}
	}
	if _, err := clockMinutes(w.From); err != nil {
		return fmt.Errorf("from: %v", err)
	}
	if _, err := clockMinutes(w.To); err != nil {
		return fmt.Errorf("to: %v", err)
	}
	if w.MaxBytesPerSecond < 0 {
		return fmt.Errorf("maxBytesPerSecond must be 0 (no limit) or more, not %d", w.MaxBytesPerSecond)
	}
	return nil
}

// clockMinutes reads "HH:MM" (00:00 to 23:59, or 24:00) as minutes.
func clockMinutes(v string) (int, error) {
	h, mm, ok := strings.Cut(v, ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(mm)
	if !ok || len(h) != 2 || len(mm) != 2 || err1 != nil || err2 != nil || minute < 0 || minute > 59 ||
		hour < 0 || hour > 24 || hour == 24 && minute != 0 {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", v)
	}
	return hour*60 + minute, nil
}

// validateProxy checks the proxy setting (internal/proxy.Validate).
func validateProxy(v string) error { return bgproxy.Validate(v) }
