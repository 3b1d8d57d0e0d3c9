package model

// Transfer control, history and settings (api.md, "additions of the second
// round"). Every field is optional on input and always present on output.

// Priority orders queued work: higher priorities get connections first;
// within one, registration order.
type Priority string

const (
	PriorityHigh   Priority = "high"
	PriorityNormal Priority = "normal"
	PriorityLow    Priority = "low"
)

// Rank is 0 for high, 1 for normal, 2 for low; -1 for anything else.
func (p Priority) Rank() int {
	switch p {
	case PriorityHigh:
		return 0
	case PriorityNormal:
		return 1
	case PriorityLow:
		return 2
	}
	return -1
}

// MeteredPolicy says what a fetch does on a metered network.
type MeteredPolicy string

const (
	MeteredAllow MeteredPolicy = "allow"
	MeteredWait  MeteredPolicy = "wait"
)

// WaitReason says why a waiting-network fetch waits.
type WaitReason string

const (
	WaitNone     WaitReason = ""
	WaitNetwork  WaitReason = "network"  // offline: connections fail
	WaitRetry    WaitReason = "retry"    // a server asked to retry later (408, 429, 5xx)
	WaitMetered  WaitReason = "metered"  // metered network and metered: wait
	WaitSchedule WaitReason = "schedule" // a schedule window with paused: true
)

// Limits of the transfer-control fields.
const (
	MaxConnectionsPerFile = 16
	MaxGlobalConnections  = 256
	MaxKeepHistoryDays    = 3650
	MaxScheduleWindows    = 64
	MaxPageSize           = 1000
	DefaultPageSize       = 100
)

// RegistrationPatch is the body of PATCH /v1/registrations/{uid}: the
// fields to change, nil for those to keep.
type RegistrationPatch struct {
	Priority          *Priority      `json:"priority,omitempty"`
	MaxBytesPerSecond *int64         `json:"maxBytesPerSecond,omitempty"`
	Connections       *int           `json:"connections,omitempty"`
	Metered           *MeteredPolicy `json:"metered,omitempty"`
}

// RegistrationPage is one page of GET /v1/registrations, newest first.
type RegistrationPage struct {
	Registrations []Registration `json:"registrations"`
	// Next is the cursor of the next page (before=), "" on the last page.
	Next string `json:"next"`
}

// Settings are the whole daemon's (GET and PATCH /v1/settings), kept in
// the store.
type Settings struct {
	// MaxConnections is the global limit of simultaneous connections.
	MaxConnections int `json:"maxConnections"`
	// MaxBytesPerSecond caps all transfers together (0: none).
	MaxBytesPerSecond int64 `json:"maxBytesPerSecond"`
	// ConnectionsPerFile is the default for fetches that leave
	// connections at 0 (0: bgfetch decides).
	ConnectionsPerFile int `json:"connectionsPerFile"`
	// Schedule are local-time windows that replace MaxBytesPerSecond
	// while they last, or pause every transfer.
	Schedule []ScheduleWindow `json:"schedule"`
	// Metered is the default policy of fetches that do not say.
	Metered MeteredPolicy `json:"metered"`
	// Proxy is "system", "none", or an http://, https://, socks5:// or
	// socks5h:// URL (credentials allowed).
	Proxy string `json:"proxy"`
	// Notifications: whether the desktop app shows them.
	Notifications bool `json:"notifications"`
	// KeepHistoryDays is how long settled registrations stay in the
	// history (and events wait for a live handler).
	KeepHistoryDays int `json:"keepHistoryDays"`
}

// DefaultSettings are the settings of a new data dir. Sixteen
// connections let one large file use all its segments (a browser's six
// would hold a server that caps each connection to six times that cap).
func DefaultSettings() Settings {
	return Settings{MaxConnections: 16, Schedule: []ScheduleWindow{}, Metered: MeteredAllow,
		Proxy: "system", Notifications: true, KeepHistoryDays: 30}
}

// ScheduleWindow is a local-time window of some days; To earlier than From
// spans midnight.
type ScheduleWindow struct {
	Days []string `json:"days"` // "mon" … "sun"
	From string   `json:"from"` // "HH:MM"
	To   string   `json:"to"`
	// MaxBytesPerSecond replaces the global limit inside the window (0: none).
	MaxBytesPerSecond int64 `json:"maxBytesPerSecond"`
	// Paused lets nothing transfer inside the window.
	Paused bool `json:"paused"`
}

// SettingsPatch is the body of PATCH /v1/settings: nil fields are kept.
type SettingsPatch struct {
	MaxConnections     *int              `json:"maxConnections,omitempty"`
	MaxBytesPerSecond  *int64            `json:"maxBytesPerSecond,omitempty"`
	ConnectionsPerFile *int              `json:"connectionsPerFile,omitempty"`
	Schedule           *[]ScheduleWindow `json:"schedule,omitempty"`
	Metered            *MeteredPolicy    `json:"metered,omitempty"`
	Proxy              *string           `json:"proxy,omitempty"`
	Notifications      *bool             `json:"notifications,omitempty"`
	KeepHistoryDays    *int              `json:"keepHistoryDays,omitempty"`
}
