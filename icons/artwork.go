package icons

import (
	"embed"
	"fmt"
)

//go:embed src/*.svg png/*.png
var files embed.FS

// AppIconSizes are the pixel sizes the app icon is rendered at.
var AppIconSizes = []int{16, 24, 32, 48, 64, 128, 256, 512}

// TrayIconSizes are the pixel sizes tray icons are rendered at (22 px
// panels, and the same at 2x).
var TrayIconSizes = []int{22, 44}

// AppIcon returns the 256 px app icon as PNG.
func AppIcon() []byte { return mustRead("png/bgfetch-256.png") }

// AppIconSVG returns the app icon's SVG source.
func AppIconSVG() []byte { return mustRead("src/bgfetch.svg") }

// AppIconAt returns the app icon as PNG at one of AppIconSizes, or nil.
func AppIconAt(size int) []byte {
	b, err := files.ReadFile(fmt.Sprintf("png/bgfetch-%d.png", size))
	if err != nil {
		return nil
	}
	return b
}

// TrayState is what the tray icon shows.
type TrayState int

const (
	TrayIdle        TrayState = iota // nothing in progress
	TrayDownloading                  // at least one fetch transferring
	TrayPaused                       // paused, or waiting for the network
	TrayFailed                       // a fetch failed and needs attention
)

var trayNames = [...]string{"idle", "downloading", "paused", "failed"}

func (s TrayState) String() string {
	if s < 0 || int(s) >= len(trayNames) {
		return fmt.Sprintf("TrayState(%d)", int(s))
	}
	return trayNames[s]
}

// Tray returns the tray icon for s as a 44 px PNG (crisp on 2x panels; the
// tray host scales it down for 22 px panels). Unknown states get the idle
// icon.
func Tray(s TrayState) []byte { return TrayAt(s, 44) }

// TrayAt returns the tray icon for s as PNG at one of TrayIconSizes (22 or
// 44), or nil for another size. Unknown states get the idle icon.
func TrayAt(s TrayState, size int) []byte {
	if s < 0 || int(s) >= len(trayNames) {
		s = TrayIdle
	}
	b, err := files.ReadFile(fmt.Sprintf("png/tray-%s-%d.png", s, size))
	if err != nil {
		return nil
	}
	return b
}

// TraySVG returns the SVG source of the tray icon for s.
func TraySVG(s TrayState) []byte {
	if s < 0 || int(s) >= len(trayNames) {
		s = TrayIdle
	}
	return mustRead(fmt.Sprintf("src/tray-%s.svg", s))
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("icons: embedded file missing: " + name)
	}
	return b
}
