package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // icon formats
	_ "image/jpeg" // icon formats
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/bgfetch/bgfetch/downloads"
)

// IconStore is where fetched icons are kept between runs (the Manager's
// CachedIcon/CacheIcon, backed by the store).
type IconStore interface {
	CachedIcon(src string) ([]byte, bool)
	CacheIcon(src string, data []byte) error
}

// IconLoader fetches each fetch's best icon once over HTTP (small timeout,
// size cap), turns it into a small PNG, caches it in the store and hands
// out fyne resources. Loading never happens on the UI goroutine: Resource
// returns nil until the icon is ready and OnLoaded is called then.
type IconLoader struct {
	Store  IconStore
	Client *http.Client
	// MaxBytes caps a downloaded icon (default 1 MiB).
	MaxBytes int64
	// Pixels is the side the icon is scaled to (default 96: a 48-unit icon
	// on a 2x screen).
	Pixels int
	// Choose picks the best icon of a list for Pixels (default: BestIcon).
	Choose func(icons []downloads.Icon, pixels int) (downloads.Icon, bool)
	// Prepare decodes, scales and re-encodes an icon as PNG (default:
	// decode and re-encode only).
	Prepare func(data []byte, pixels int) ([]byte, error)
	// OnLoaded is called (from a loader goroutine) when an icon became
	// ready or failed, so the rows get redrawn.
	OnLoaded func()

	mu      sync.Mutex
	res     map[string]fyne.Resource
	pending map[string]bool
	failed  map[string]bool
	wg      sync.WaitGroup
}

// NewIconLoader returns a loader over store.
func NewIconLoader(store IconStore) *IconLoader {
	return &IconLoader{Store: store}
}

// Resource returns the icon of r, or nil while it is loading or when r has
// none that could be loaded.
func (l *IconLoader) Resource(r downloads.Registration) fyne.Resource {
	if len(r.Icons) == 0 {
		return nil
	}
	choose := l.Choose
	if choose == nil {
		choose = BestIcon
	}
	ic, ok := choose(r.Icons, l.pixels())
	if !ok || ic.Src == "" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.res == nil {
		l.res, l.pending, l.failed = map[string]fyne.Resource{}, map[string]bool{}, map[string]bool{}
	}
	if res, ok := l.res[ic.Src]; ok {
		return res
	}
	if l.pending[ic.Src] || l.failed[ic.Src] {
		return nil
	}
	l.pending[ic.Src] = true
	l.wg.Add(1)
	go l.load(ic.Src)
	return nil
}

// Wait blocks until every started load finished (for tests and shutdown).
func (l *IconLoader) Wait() { l.wg.Wait() }

func (l *IconLoader) pixels() int {
	if l.Pixels > 0 {
		return l.Pixels
	}
	return 96
}

func (l *IconLoader) load(src string) {
	defer l.wg.Done()
	data, err := l.fetch(src)
	l.mu.Lock()
	delete(l.pending, src)
	if err != nil {
		fyne.LogError("bgfetch: icon "+src, err)
		l.failed[src] = true
	} else {
		l.res[src] = fyne.NewStaticResource(iconName(src), data)
	}
	l.mu.Unlock()
	if l.OnLoaded != nil {
		l.OnLoaded()
	}
}

func (l *IconLoader) fetch(src string) ([]byte, error) {
	if l.Store != nil {
		if data, ok := l.Store.CachedIcon(src); ok && len(data) > 0 {
			return data, nil
		}
	}
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("unsupported icon address")
	}
	client := l.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
		return nil, fmt.Errorf("status %d", resp.StatusCode)
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
		return nil, errors.New("icon larger than the size cap")
	}
	prepare := l.Prepare
	if prepare == nil {
		prepare = reencodePNG
	}
	out, err := prepare(raw, l.pixels())
	if err != nil {
		return nil, err
	}
	if l.Store != nil {
		if err := l.Store.CacheIcon(src, out); err != nil {
			fyne.LogError("bgfetch: caching icon", err)
		}
	}
	return out, nil
}

func reencodePNG(data []byte, _ int) ([]byte, error) {
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func iconName(src string) string {
	if u, err := url.Parse(src); err == nil {
		if i := strings.LastIndex(u.Path, "/"); i >= 0 && i < len(u.Path)-1 {
			return u.Path[i+1:]
		}
	}
	return "icon.png"
}

// BestIcon picks the icon whose declared size fits pixels best: the
// smallest at least that large, else the largest; "any" (SVG) fits every
// size; icons without sizes come last.
func BestIcon(icons []downloads.Icon, pixels int) (downloads.Icon, bool) {
	best, bestSize, found := downloads.Icon{}, 0, false
	score := func(size int) int { // lower is better
		switch {
		case size < 0: // any
			return 0
		case size == 0:
			return 1 << 30
		case size >= pixels:
			return size - pixels
		default:
			return (1 << 20) + (pixels - size)
		}
	}
	for _, ic := range icons {
		if ic.Src == "" || strings.Contains(ic.Type, "svg") {
			continue // not decodable here
		}
		size := largestSize(ic.Sizes)
		if !found || score(size) < score(bestSize) {
			best, bestSize, found = ic, size, true
		}
	}
	return best, found
}

// largestSize parses "48x48 96x96" into 96, "any" into -1, "" into 0.
func largestSize(sizes string) int {
	max := 0
	for _, f := range strings.Fields(strings.ToLower(sizes)) {
		if f == "any" {
			return -1
		}
		w, _, ok := strings.Cut(f, "x")
		if !ok {
			continue
		}
		if n, err := strconv.Atoi(w); err == nil && n > max {
			max = n
		}
	}
	return max
}
