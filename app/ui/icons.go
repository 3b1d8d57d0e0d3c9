package ui

import (
	"context"
	"net/url"
	"strings"
	"sync"

	"fyne.io/fyne/v2"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/icons"
)

// IconLoader hands out each fetch's icon as a fyne resource, loading it
// (icons.Loader: download, prepare, cache) off the UI goroutine: Resource
// returns nil until the icon is ready and OnLoaded is called then.
type IconLoader struct {
	Loader *icons.Loader
	// OnLoaded is called (from a loader goroutine) when an icon became
	// ready or failed, so the rows get redrawn.
	OnLoaded func()

	mu      sync.Mutex
	res     map[string]fyne.Resource
	pending map[string]bool
	failed  map[string]bool
	wg      sync.WaitGroup
}

// NewIconLoader returns a loader over l.
func NewIconLoader(l *icons.Loader) *IconLoader {
	return &IconLoader{Loader: l}
}

// Resource returns the icon of r, or nil while it is loading or when r has
// none that could be loaded.
func (l *IconLoader) Resource(r model.Registration) fyne.Resource {
	ic, ok := l.Loader.Choose(r.Icons)
	if !ok {
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

func (l *IconLoader) load(src string) {
	defer l.wg.Done()
	data, err := l.Loader.Load(context.Background(), src)
	l.mu.Lock()
	delete(l.pending, src)
	if data == nil {
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

func iconName(src string) string {
	if u, err := url.Parse(src); err == nil {
		if i := strings.LastIndex(u.Path, "/"); i >= 0 && i < len(u.Path)-1 {
			return u.Path[i+1:]
		}
	}
	return "icon.png"
}
