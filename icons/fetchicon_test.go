package icons

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/bgfetch/bgfetch/downloads/model"
)

func TestBest(t *testing.T) {
	t.Parallel()
	c := func(src, sizes, typ string) model.Icon { return model.Icon{Src: src, Sizes: sizes, Type: typ} }
	tests := []struct {
		name    string
		cands   []model.Icon
		want    int
		wantSrc string // "" means ok == false
	}{
		{"empty list", nil, 64, ""},
		{"smallest that is big enough", []model.Icon{
			c("a.png", "512x512", "image/png"),
			c("b.png", "96x96", "image/png"),
			c("c.png", "128x128", "image/png"),
			c("d.png", "48x48", "image/png"),
		}, 64, "b.png"},
		{"exact size wins", []model.Icon{
			c("a.png", "128x128", ""), c("b.png", "64x64", ""),
		}, 64, "b.png"},
		{"none big enough: largest", []model.Icon{
			c("a.png", "16x16", ""), c("b.png", "48x48", ""), c("c.png", "32x32", ""),
		}, 256, "b.png"},
		{"any beats fixed sizes", []model.Icon{
			c("a.png", "64x64", "image/png"), c("b.png", "any", "image/png"),
		}, 64, "b.png"},
		{"svg any is skipped: unsupported type", []model.Icon{
			c("logo.svg", "any", "image/svg+xml"), c("a.png", "32x32", "image/png"),
		}, 64, "a.png"},
		{"svg by extension is skipped", []model.Icon{
			c("https://x/logo.svg?v=2", "any", ""), c("a.png", "32x32", ""),
		}, 64, "a.png"},
		{"webp and ico skipped", []model.Icon{
			c("a.webp", "64x64", "image/webp"), c("b.ico", "64x64", "image/x-icon"), c("c.gif", "16x16", "image/gif"),
		}, 64, "c.gif"},
		{"multi-size token list uses its best size", []model.Icon{
			c("a.png", "16x16 256x256", ""), c("b.png", "128x128", ""),
		}, 200, "a.png"},
		{"multi-size: small entry in a list still fits", []model.Icon{
			c("a.png", "512x512", ""), c("b.png", "16x16 72x72 1024x1024", ""),
		}, 64, "b.png"},
		{"non-square uses the smaller side", []model.Icon{
			c("wide.png", "256x32", ""), c("sq.png", "64x64", ""),
		}, 48, "sq.png"},
		{"unknown sizes only as a last resort", []model.Icon{
			c("nosize.png", "", ""), c("small.png", "8x8", ""),
		}, 64, "small.png"},
		{"unknown sizes when nothing else", []model.Icon{
			c("nosize.png", "", ""), c("bad.png", "big", ""),
		}, 64, "nosize.png"},
		{"malformed tokens ignored", []model.Icon{
			c("a.png", "0x0 -5x5 x64 64x", ""), c("b.png", "32X32", ""),
		}, 64, "b.png"},
		{"ties keep list order", []model.Icon{
			c("first.png", "64x64", ""), c("second.png", "64x64", ""),
		}, 64, "first.png"},
		{"mime parameters and case", []model.Icon{
			c("a.png", "64x64", "IMAGE/PNG; charset=binary"),
		}, 64, "a.png"},
		{"only unsupported", []model.Icon{
			c("a.svg", "any", "image/svg+xml"),
		}, 64, ""},
		{"jpeg accepted", []model.Icon{
			c("a.jpg", "64x64", "image/jpeg"),
		}, 64, "a.jpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Best(tt.cands, tt.want)
			if tt.wantSrc == "" {
				if ok {
					t.Fatalf("Best = %+v, want none", got)
				}
				return
			}
			if !ok || got.Src != tt.wantSrc {
				t.Fatalf("Best = %+v, %v; want %s", got, ok, tt.wantSrc)
			}
		})
	}
}

func solid(w, h int, c color.Color) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

func encode(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngWithHeaderSize takes a valid PNG and rewrites its IHDR to claim w x h
// (fixing the chunk CRC), without any pixel data to match.
func pngWithHeaderSize(t *testing.T, w, h uint32) []byte {
	t.Helper()
	b := bytes.Clone(encode(t, "png", solid(2, 2, color.White)))
	// 8-byte signature, 4-byte length, "IHDR", then width, height.
	if string(b[12:16]) != "IHDR" {
		t.Fatal("unexpected PNG layout")
	}
	binary.BigEndian.PutUint32(b[16:20], w)
	binary.BigEndian.PutUint32(b[20:24], h)
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestDecode(t *testing.T) {
	t.Parallel()
	red := color.NRGBA{R: 255, A: 255}
	validPNG := encode(t, "png", solid(40, 30, red))
	tests := []struct {
		name     string
		data     []byte
		wantSize image.Point
		wantErr  string // substring; "" means success
		wantIs   error
	}{
		{"png", validPNG, image.Pt(40, 30), "", nil},
		{"jpeg", encode(t, "jpeg", solid(17, 9, red)), image.Pt(17, 9), "", nil},
		{"gif", encode(t, "gif", solid(33, 33, red)), image.Pt(33, 33), "", nil},
		{"png at the side limit", encode(t, "png", solid(4096, 1, red)), image.Pt(4096, 1), "", nil},
		{"empty", nil, image.Point{}, "empty", nil},
		{"truncated png", validPNG[:len(validPNG)/2], image.Point{}, "corrupt png", nil},
		{"corrupt png header", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0xAB}, 40)...), image.Point{}, "corrupt png header", nil},
		{"corrupt jpeg", []byte("\xff\xd8\xff\xe0garbage-garbage-garbage"), image.Point{}, "corrupt jpeg", nil},
		{"real image too wide", encode(t, "png", solid(4097, 1, red)), image.Point{}, "4097x1", ErrTooLarge},
		{"oversized header, no pixels", pngWithHeaderSize(t, 100000, 100000), image.Point{}, "100000x100000", ErrTooLarge},
		{"oversized height", pngWithHeaderSize(t, 16, 5000), image.Point{}, "16x5000", ErrTooLarge},
		{"too many bytes", append(bytes.Clone(validPNG), make([]byte, MaxDecodeBytes)...), image.Point{}, "bytes", ErrTooLarge},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), image.Point{}, "unsupported", ErrUnsupported},
		{"bmp", append([]byte("BM"), make([]byte, 60)...), image.Point{}, "unsupported", ErrUnsupported},
		{"html error page", []byte("<html>404</html>"), image.Point{}, "unsupported", ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := Decode(tt.data)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if got := img.Bounds().Size(); got != tt.wantSize {
					t.Fatalf("size %v, want %v", got, tt.wantSize)
				}
				return
			}
			if err == nil {
				t.Fatalf("Decode succeeded, want error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}
}

func TestScale(t *testing.T) {
	t.Parallel()
	checker := image.NewNRGBA(image.Rect(0, 0, 256, 256))
	for y := 0; y < 256; y++ {
		for x := 0; x < 256; x++ {
			if (x+y)%2 == 0 {
				checker.Set(x, y, color.White)
			} else {
				checker.Set(x, y, color.Black)
			}
		}
	}
	red := color.NRGBA{R: 255, A: 255}
	tests := []struct {
		name string
		src  image.Image
		size int
		// check inspects the scaled image.
		check func(t *testing.T, img image.Image)
	}{
		{"downscale averages fine detail (no aliasing)", checker, 16, func(t *testing.T, img image.Image) {
			for y := 2; y < 14; y++ {
				for x := 2; x < 14; x++ {
					r, g, b, a := img.At(x, y).RGBA()
					if a != 0xffff || r>>8 < 100 || r>>8 > 155 || r != g || g != b {
						t.Fatalf("pixel (%d,%d) = %d,%d,%d,%d; want opaque mid-grey", x, y, r>>8, g>>8, b>>8, a>>8)
					}
				}
			}
		}},
		{"upscale keeps a solid colour", solid(8, 8, red), 64, func(t *testing.T, img image.Image) {
			for _, p := range []image.Point{{0, 0}, {32, 32}, {63, 63}} {
				if c := color.NRGBAModel.Convert(img.At(p.X, p.Y)).(color.NRGBA); c != red {
					t.Fatalf("pixel %v = %v, want %v", p, c, red)
				}
			}
		}},
		{"wide image is letterboxed, centred", solid(200, 100, red), 64, func(t *testing.T, img image.Image) {
			for _, tc := range []struct {
				p      image.Point
				opaque bool
			}{{image.Pt(32, 2), false}, {image.Pt(32, 61), false}, {image.Pt(32, 32), true}, {image.Pt(0, 32), true}, {image.Pt(63, 32), true}} {
				_, _, _, a := img.At(tc.p.X, tc.p.Y).RGBA()
				if (a == 0xffff) != tc.opaque {
					t.Errorf("pixel %v alpha %d, want opaque=%v", tc.p, a>>8, tc.opaque)
				}
			}
		}},
		{"tall image is pillarboxed", solid(10, 40, red), 40, func(t *testing.T, img image.Image) {
			if _, _, _, a := img.At(2, 20).RGBA(); a != 0 {
				t.Errorf("left margin alpha %d, want 0", a>>8)
			}
			if _, _, _, a := img.At(20, 20).RGBA(); a != 0xffff {
				t.Errorf("centre alpha %d, want opaque", a>>8)
			}
		}},
		{"offset bounds are handled", solid(64, 64, red).SubImage(image.Rect(16, 16, 48, 48)), 8, func(t *testing.T, img image.Image) {
			if c := color.NRGBAModel.Convert(img.At(4, 4)).(color.NRGBA); c != red {
				t.Errorf("centre = %v, want red", c)
			}
		}},
		{"size below 1 is 1", solid(8, 8, red), 0, func(t *testing.T, img image.Image) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := Scale(tt.src, tt.size)
			want := max(tt.size, 1)
			if got := img.Bounds(); got != image.Rect(0, 0, want, want) {
				t.Fatalf("bounds %v, want %dx%d", got, want, want)
			}
			tt.check(t, img)
			// The result survives a PNG round trip through Decode.
			back, err := Decode(EncodePNG(img))
			if err != nil {
				t.Fatalf("round trip: %v", err)
			}
			if back.Bounds().Size() != img.Bounds().Size() {
				t.Fatalf("round trip size %v", back.Bounds())
			}
		})
	}
}

func TestEncodePNGEmpty(t *testing.T) {
	t.Parallel()
	if b := EncodePNG(image.NewNRGBA(image.Rect(0, 0, 0, 0))); b != nil {
		t.Fatalf("EncodePNG(empty) = %d bytes, want nil", len(b))
	}
}
