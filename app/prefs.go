package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/bgfetch/bgfetch/app/ui"
)

// prefs are the desktop app's own settings, beside the daemon's in the
// data dir (desktop.json): what is not the engine's business.
type prefs struct {
	path string

	mu   sync.Mutex
	data prefsData
}

type prefsData struct {
	// Folder is where the Add form saves by default ("": ~/Downloads).
	Folder string `json:"downloadFolder"`
}

func loadPrefs(dataDir string) *prefs {
	p := &prefs{path: filepath.Join(dataDir, "desktop.json")}
	if data, err := os.ReadFile(p.path); err == nil {
		_ = json.Unmarshal(data, &p.data)
	}
	return p
}

// Folder is the Add form's folder.
func (p *prefs) Folder() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.data.Folder != "" {
		return p.data.Folder
	}
	return ui.DefaultDestination()
}

// SetFolder keeps a new folder ("" goes back to ~/Downloads).
func (p *prefs) SetFolder(dir string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if dir == ui.DefaultDestination() {
		dir = ""
	}
	old := p.data
	p.data.Folder = dir
	if err := p.saveLocked(); err != nil {
		p.data = old
		return err
	}
	return nil
}

func (p *prefs) saveLocked() error {
	data, err := json.MarshalIndent(p.data, "", "  ")
	if err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.%d.tmp", p.path, time.Now().UnixNano())
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, p.path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
