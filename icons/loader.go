package icons

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// Cache keeps prepared icons by source URL between runs
// (*downloads.IconCache, backed by the store).
type Cache interface {
	Get(src string) ([]byte, bool)
	Put(src string, data []byte) error
}

// Loader fetches a fetch's icons over HTTP once (small timeout, size cap),
// prepares them (Prepare) and caches them: the one way the window, the tray
// and notifications get a fetch's icon.
type Loader struct {
	Cache  Cache
	Client *http.Client // default: a client with a 10 s timeout
	// MaxBytes caps a downloaded icon (default 1 MiB).
	MaxBytes int64
	// Pixels is the side icons are prepared at (default 96: a 48-unit icon
	// on a 2x screen).
	Pixels int
}

// Size is the side the loader prepares icons at.
func (l *Loader) Size() int {
	if l.Pixels > 0 {
		return l.Pixels
	}
	return 96
}

// Choose is the icon of list the loader would show, and false when none
// is usable.
func (l *Loader) Choose(list []model.Icon) (model.Icon, bool) { return Best(list, l.Size()) }

// Cached is the prepared best icon of list if it is in the cache already
// (no network: for notifications).
func (l *Loader) Cached(list []model.Icon) []byte {
	ic, ok := l.Choose(list)
	if !ok || l.Cache == nil {
		return nil
	}
	data, _ := l.Cache.Get(ic.Src)
	return data
}

// Load returns the prepared icon at src: from the cache, else downloaded,
// prepared and cached.
func (l *Loader) Load(ctx context.Context, src string) ([]byte, error) {
	if l.Cache != nil {
		if data, ok := l.Cache.Get(src); ok && len(data) > 0 {
			return data, nil
		}
	}
	raw, err := l.download(ctx, src)
	if err != nil {
		return nil, err
	}
	out, err := prepareInPool(ctx, raw, l.Size())
	if err != nil {
		return nil, err
	}
	if l.Cache != nil {
		if err := l.Cache.Put(src, out); err != nil {
			return out, fmt.Errorf("cache the icon: %w", err)
		}
	}
	return out, nil
}

// MaxConcurrentDecodes is how many icons are decoded at once, by every
// Loader together: each may take MaxDecodedBytes, so the icons of many
// fetches cost at most this many times that (4 icons at once took the
// desktop app from 154 to 771 MB).
const MaxConcurrentDecodes = 2

var decodeSlots = make(chan struct{}, MaxConcurrentDecodes)

// prepareInPool is Prepare in one of the decode slots.
func prepareInPool(ctx context.Context, raw []byte, pixels int) ([]byte, error) {
	select {
	case decodeSlots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-decodeSlots }()
	return Prepare(raw, pixels)
}

func (l *Loader) download(ctx context.Context, src string) ([]byte, error) {
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, errors.New("icons: only http and https icon addresses are fetched")
	}
	client := l.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("icons: the server answered %d", resp.StatusCode)
	}
	max := l.MaxBytes
	if max <= 0 {
		max = 1 << 20
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return raw, nil
}
