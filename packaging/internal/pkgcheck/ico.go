package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image/png"
	"os"
)

// writeICO writes the PNG files args[1:] into the icon file args[0]: the
// ICONDIR header, one ICONDIRENTRY per image, then the PNG data as is.
func writeICO(args []string) error {
	if len(args) < 2 {
		usage()
	}
	out, pngs := args[0], args[1:]
	var images [][]byte
	var sizes [][2]int
	for _, p := range pngs {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if cfg.Width > 256 || cfg.Height > 256 {
			return fmt.Errorf("%s: %dx%d, icons are at most 256 px", p, cfg.Width, cfg.Height)
		}
		images = append(images, data)
		sizes = append(sizes, [2]int{cfg.Width, cfg.Height})
	}
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(uint16(0))           // reserved
	le(uint16(1))           // type: icon
	le(uint16(len(images))) // count
	offset := 6 + 16*len(images)
	for i, img := range images {
		w, h := sizes[i][0], sizes[i][1]
		b.WriteByte(byte(w % 256)) // 256 is written as 0
		b.WriteByte(byte(h % 256))
		b.WriteByte(0) // no palette
		b.WriteByte(0) // reserved
		le(uint16(1))  // colour planes
		le(uint16(32)) // bits per pixel
		le(uint32(len(img)))
		le(uint32(offset))
		offset += len(img)
	}
	for _, img := range images {
		b.Write(img)
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}
