package icons

import (
	"bytes"
	"image"
	"image/color"
	"strings"
	"testing"
)

func TestAppIcon(t *testing.T) {
	t.Parallel()
	img, err := Decode(AppIcon())
	if err != nil {
		t.Fatalf("AppIcon: %v", err)
	}
	if img.Bounds().Size() != image.Pt(256, 256) {
		t.Fatalf("AppIcon is %v, want 256x256", img.Bounds().Size())
	}
	if svg := AppIconSVG(); !bytes.Contains(svg, []byte("<svg")) {
		t.Fatalf("AppIconSVG is not SVG: %.40q", svg)
	}
	for _, n := range AppIconSizes {
		img, err := Decode(AppIconAt(n))
		if err != nil {
			t.Fatalf("app icon %d: %v", n, err)
		}
		if img.Bounds().Size() != image.Pt(n, n) {
			t.Errorf("app icon %d is %v", n, img.Bounds().Size())
		}
		// Rounded tile: transparent corner, opaque centre.
		if _, _, _, a := img.At(0, 0).RGBA(); a != 0 {
			t.Errorf("app icon %d: corner alpha %d, want transparent", n, a>>8)
		}
		if _, _, _, a := img.At(n/2, n/2).RGBA(); a != 0xffff {
			t.Errorf("app icon %d: centre not opaque", n)
		}
	}
	if AppIconAt(100) != nil {
		t.Error("AppIconAt(100) should be nil")
	}
}

// TestTrayIcons checks every state has distinct artwork at both sizes and
// that each icon carries both a light and a dark tone (fill + outline), so it
// stays visible on light and on dark panels.
func TestTrayIcons(t *testing.T) {
	t.Parallel()
	states := []TrayState{TrayIdle, TrayDownloading, TrayPaused, TrayFailed}
	seen := map[string]TrayState{}
	for _, s := range states {
		if !bytes.Contains(TraySVG(s), []byte("<svg")) {
			t.Errorf("%v: no SVG source", s)
		}
		if !bytes.Equal(Tray(s), TrayAt(s, 44)) {
			t.Errorf("%v: Tray is not the 44 px icon", s)
		}
		for _, n := range TrayIconSizes {
			data := TrayAt(s, n)
			img, err := Decode(data)
			if err != nil {
				t.Fatalf("%v %d: %v", s, n, err)
			}
			if img.Bounds().Size() != image.Pt(n, n) {
				t.Fatalf("%v %d: size %v", s, n, img.Bounds().Size())
			}
			if prev, dup := seen[string(data)]; dup {
				t.Errorf("%v %d px is identical to %v", s, n, prev)
			}
			seen[string(data)] = s

			var light, dark, clear int
			for y := 0; y < n; y++ {
				for x := 0; x < n; x++ {
					c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
					if c.A < 128 {
						clear++
						continue
					}
					lum := (299*int(c.R) + 587*int(c.G) + 114*int(c.B)) / 1000
					switch {
					case lum >= 150:
						light++
					case lum <= 60:
						dark++
					}
				}
			}
			area := n * n
			if clear < area/4 {
				t.Errorf("%v %d: only %d transparent pixels; tray icons need a transparent background", s, n, clear)
			}
			if light < area/40 || dark < area/40 {
				t.Errorf("%v %d: light=%d dark=%d pixels; needs both to read on light and dark panels", s, n, light, dark)
			}
		}
	}
	if TrayAt(TrayIdle, 30) != nil {
		t.Error("TrayAt(_, 30) should be nil")
	}
	if !bytes.Equal(Tray(TrayState(99)), Tray(TrayIdle)) {
		t.Error("unknown state should fall back to idle")
	}
	if got := TrayPaused.String(); got != "paused" {
		t.Errorf("TrayPaused.String() = %q", got)
	}
	if got := TrayState(7).String(); !strings.Contains(got, "7") {
		t.Errorf("TrayState(7).String() = %q", got)
	}
}
