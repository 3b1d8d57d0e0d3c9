package icons

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/bgfetch/bgfetch/downloads/model"

	"golang.org/x/image/draw"
)

// supportedTypes are the MIME types Decode can read.
var supportedTypes = map[string]bool{
	"image/png":  true,
	"image/jpeg": true,
	"image/jpg":  true, // seen in the wild
	"image/gif":  true,
}

// Supported reports whether c may be decodable: its Type (or, without one,
// its Src extension) is PNG, JPEG or GIF, or unknown.
func Supported(c model.Icon) bool {
	if t := strings.TrimSpace(strings.ToLower(c.Type)); t != "" {
		t, _, _ = strings.Cut(t, ";")
		return supportedTypes[strings.TrimSpace(t)]
	}
	src := c.Src
	if i := strings.IndexAny(src, "?#"); i >= 0 {
		src = src[:i]
	}
	switch strings.ToLower(path.Ext(src)) {
	case ".svg", ".svgz", ".webp", ".ico", ".bmp", ".avif", ".tif", ".tiff":
		return false
	}
	return true
}

// sizeAny stands for the "any" keyword: scalable, fits every size.
const sizeAny = math.MaxInt

// parseSizes returns the square-fit sizes c declares (the smaller side of
// each WxH token; sizeAny for "any"); malformed tokens are ignored.
func parseSizes(s string) []int {
	var out []int
	for _, tok := range strings.Fields(strings.ToLower(s)) {
		if tok == "any" {
			out = append(out, sizeAny)
			continue
		}
		ws, hs, ok := strings.Cut(tok, "x")
		if !ok {
			continue
		}
		w, err1 := strconv.Atoi(ws)
		h, err2 := strconv.Atoi(hs)
		if err1 != nil || err2 != nil || w <= 0 || h <= 0 {
			continue
		}
		out = append(out, min(w, h))
	}
	return out
}

// Best picks the icon of a fetch's list that best fits a square of want
// pixels, as a
// Web App Manifest user agent would: a scalable ("any") icon first, else the
// smallest declared size >= want, else the largest declared size, else one
// without usable sizes. Candidates whose type is not supported are skipped;
// ties go to the earlier candidate. ok is false when nothing is usable.
func Best(cands []model.Icon, want int) (best model.Icon, ok bool) {
	const (
		rankAny = iota
		rankBigEnough
		rankTooSmall
		rankUnknown
	)
	bestRank, bestKey := rankUnknown+1, 0
	for _, c := range cands {
		if c.Src == "" || !Supported(c) {
			continue
		}
		rank, key := rankUnknown, 0
		for _, sz := range parseSizes(c.Sizes) {
			var r, k int
			switch {
			case sz == sizeAny:
				r, k = rankAny, 0
			case sz >= want:
				r, k = rankBigEnough, sz // smaller is better
			default:
				r, k = rankTooSmall, -sz // larger is better
			}
			if r < rank || (r == rank && k < key) {
				rank, key = r, k
			}
		}
		if rank < bestRank || (rank == bestRank && key < bestKey) {
			best, bestRank, bestKey, ok = c, rank, key, true
		}
	}
	return best, ok
}

// Limits on images Decode accepts. Icons come from arbitrary servers, so
// these bound memory before any pixel is decoded: a 4096x4096 16-bit PNG
// is a few KiB on the wire and 128 MiB decoded (issue 14).
const (
	MaxDecodeBytes = 8 << 20 // 8 MiB of encoded data
	MaxDecodeSide  = 4096    // pixels, either side
	// MaxDecodedBytes caps the decoded pixels: width x height x the bytes
	// a pixel takes in its colour model (1 paletted or grey, 4 RGBA, 8 for
	// 16 bits a channel; a progressive JPEG keeps coefficients too). That
	// is 2048x2048 at 8 bits a channel, 1448x1448 at 16.
	MaxDecodedBytes = 16 << 20
)

var (
	ErrTooLarge    = errors.New("icons: image too large")
	ErrUnsupported = errors.New("icons: unsupported image format (want PNG, JPEG or GIF)")
)

// Decode decodes a PNG, JPEG or GIF (first frame) icon. It checks the byte
// length and the dimensions in the header before decoding pixels, rejecting
// anything over MaxDecodeBytes or MaxDecodeSide with ErrTooLarge. The format
// is detected from the data itself, never from a server's claim.
func Decode(data []byte) (image.Image, error) {
	if len(data) > MaxDecodeBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(data), MaxDecodeBytes)
	}
	if len(data) == 0 {
		return nil, errors.New("icons: empty image data")
	}
	var (
		name         string
		decodeConfig func([]byte) (image.Config, error)
		decode       func([]byte) (image.Image, error)
	)
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		name = "png"
		decodeConfig = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		name = "jpeg"
		decodeConfig = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		name = "gif"
		decodeConfig = func(b []byte) (image.Config, error) { return gif.DecodeConfig(bytes.NewReader(b)) }
		decode = func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) }
	default:
		return nil, ErrUnsupported
	}
	cfg, err := decodeConfig(data)
	if err != nil {
		return nil, fmt.Errorf("icons: corrupt %s header: %w", name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("icons: %s has empty size %dx%d", name, cfg.Width, cfg.Height)
	}
	if cfg.Width > MaxDecodeSide || cfg.Height > MaxDecodeSide {
		return nil, fmt.Errorf("%w: %s is %dx%d, limit %dx%d", ErrTooLarge, name, cfg.Width, cfg.Height, MaxDecodeSide, MaxDecodeSide)
	}
	bpp := bytesPerPixel(cfg.ColorModel)
	if name == "jpeg" && progressiveJPEG(data) {
		bpp += 12 // 64 int32 coefficients per 8x8 block and component
	}
	if decoded := int64(cfg.Width) * int64(cfg.Height) * int64(bpp); decoded > MaxDecodedBytes {
		return nil, fmt.Errorf("%w: %s is %dx%d at %d bytes a pixel, %d MiB decoded; the limit is %d MiB",
			ErrTooLarge, name, cfg.Width, cfg.Height, bpp, decoded>>20, MaxDecodedBytes>>20)
	}
	img, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("icons: corrupt %s: %w", name, err)
	}
	return img, nil
}

// bytesPerPixel is what one pixel of model takes once decoded.
func bytesPerPixel(m color.Model) int {
	switch m {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.YCbCrModel:
		return 3
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK
}

// progressiveJPEG reports a progressive frame (SOF2) among the markers
// before the first scan.
func progressiveJPEG(b []byte) bool {
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xff {
			return false
		}
		marker := b[i+1]
		switch {
		case marker == 0xc2 || marker == 0xc6 || marker == 0xca || marker == 0xce:
			return true
		case marker == 0xda: // start of scan: the frame header came before
			return false
		case marker == 0xff:
			i++
			continue
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return false
}

// Scale returns img fitted into a size x size square: aspect ratio kept,
// centred on transparency, resampled with Catmull-Rom (sharp downscaling
// without aliasing). size < 1 is treated as 1.
func Scale(img image.Image, size int) image.Image {
	size = max(size, 1)
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	sb := img.Bounds()
	sw, sh := sb.Dx(), sb.Dy()
	if sw <= 0 || sh <= 0 {
		return dst
	}
	w, h := size, size
	if sw > sh {
		h = max(1, int(math.Round(float64(size)*float64(sh)/float64(sw))))
	} else if sh > sw {
		w = max(1, int(math.Round(float64(size)*float64(sw)/float64(sh))))
	}
	x0, y0 := (size-w)/2, (size-h)/2
	draw.CatmullRom.Scale(dst, image.Rect(x0, y0, x0+w, y0+h), img, sb, draw.Src, nil)
	return dst
}

// EncodePNG encodes img as PNG. It returns nil only for an image PNG cannot
// represent (an empty one).
func EncodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil
	}
	return buf.Bytes()
}

// Prepare turns downloaded icon bytes into what bgfetch shows and caches:
// decoded within the limits of Decode, fitted into a pixels-square and
// encoded as PNG.
func Prepare(data []byte, pixels int) ([]byte, error) {
	img, err := Decode(data)
	if err != nil {
		return nil, err
	}
	out := EncodePNG(Scale(img, pixels))
	if out == nil {
		return nil, errors.New("icons: empty image")
	}
	return out, nil
}
