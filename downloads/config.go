package downloads

import (
	"log/slog"
	"time"

	"github.com/bgfetch/bgfetch/persistence"
)

// Config sets up a Manager. Zero values take the defaults noted.
type Config struct {
	// DataDir holds bodies while they download (DataDir/bodies). Required.
	DataDir string
	// Store is the opened persistence store. Required; the caller closes it
	// after Manager.Close.
	Store *persistence.Store
	// MaxConnections, when above 0, overrides the maxConnections setting
	// for this run (serve --max-connections).
	MaxConnections int
	// QuotaBytes caps the bytes bodies may occupy in the data dir across all
	// kept registrations (0: only the disk's free space).
	QuotaBytes int64
	// Logger receives structured logs (default: discarded).
	Logger *slog.Logger

	// Timing knobs; tests shorten them.
	StallTimeout       time.Duration // no bytes for this long → reconnect (60 s)
	BackoffMin         time.Duration // first retry delay (1 s)
	BackoffMax         time.Duration // retry delay cap (60 s)
	CheckpointInterval time.Duration // at most this long between checkpoints (1 s)
	CheckpointBytes    int64         // or this many bytes (64 MiB)
	ProgressInterval   time.Duration // progress events per registration at most this often (250 ms)
	StatusRetries      int           // retries of 408/429/5xx before bad-status (5)
	HeaderTimeout      time.Duration // time to wait for response headers (30 s)
	// WatchNetwork follows the OS's network signals (internal/netwatch):
	// NetworkManager's connectivity and metered state on Linux, IP
	// Helper's change notifications on Windows.
	WatchNetwork bool
	// PriorityAging: a fetch that waited this long for a slot counts one
	// priority higher, so that low work does not starve (60 s).
	PriorityAging time.Duration
	// SegmentTick is how often a segmented transfer looks at its workers
	// (adds one, gives one back; 500 ms).
	SegmentTick time.Duration

	// fastStream overrides the constant fastStream (segments.go) in
	// tests, which need a margin a loaded machine cannot eat.
	fastStream int64

	// firstPlaceMode is the first way a move to a destination tries to
	// give a body its name (placement.go); tests start further down.
	firstPlaceMode int
}

func (c *Config) setDefaults() {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.StallTimeout, 60*time.Second)
	def(&c.BackoffMin, time.Second)
	def(&c.BackoffMax, 60*time.Second)
	def(&c.CheckpointInterval, time.Second)
	def(&c.ProgressInterval, 250*time.Millisecond)
	def(&c.HeaderTimeout, 30*time.Second)
	def(&c.PriorityAging, 60*time.Second)
	def(&c.SegmentTick, 500*time.Millisecond)
	if c.fastStream <= 0 {
		c.fastStream = fastStream
	}
	if c.CheckpointBytes <= 0 {
		c.CheckpointBytes = 64 << 20
	}
	if c.StatusRetries == 0 {
		c.StatusRetries = 5
	}
}
