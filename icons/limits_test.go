package icons

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

// big is a w x h image of model m (zeros but for one pixel: a few KiB
// once compressed), PNG-encoded.
func big(t *testing.T, w, h int, sixteen bool) []byte {
	t.Helper()
	var img image.Image
	if sixteen {
		i := image.NewRGBA64(image.Rect(0, 0, w, h))
		i.SetRGBA64(0, 0, color.RGBA64{R: 0xffff, A: 0xffff})
		img = i
	} else {
		i := image.NewNRGBA(image.Rect(0, 0, w, h))
		i.SetNRGBA(0, 0, color.NRGBA{R: 255, A: 128})
		img = i
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngHeader is a PNG whose header says w x h pixels of depth bits a
// channel, RGBA, and that has no pixels: Decode judges the header first.
func pngHeader(t *testing.T, w, h uint32, depth byte) []byte {
	t.Helper()
	b := pngWithHeaderSize(t, w, h)
	b[24], b[25] = depth, 6 // bit depth, colour type RGBA
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// A 4096x4096 16-bit PNG is within the side limit and was decoded to
// 128 MiB (issue 14); the decoded size is what is limited now.
func TestDecodeLimitsPixelsByBitDepth(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		w, h  uint32
		depth byte
		ok    bool
	}{
		{4096, 4096, 16, false},
		{2048, 2048, 16, false},
		{4096, 4096, 8, false},
		{1448, 1448, 16, true},
		{2048, 2048, 8, true},
	} {
		_, err := Decode(pngHeader(t, c.w, c.h, c.depth))
		if c.ok == errors.Is(err, ErrTooLarge) {
			t.Errorf("%dx%d at %d bits: err = %v, want ErrTooLarge: %v", c.w, c.h, c.depth, err, !c.ok)
		}
	}
	// And a real one decodes to what its header says.
	if img, err := Decode(big(t, 300, 200, true)); err != nil || img.Bounds().Dx() != 300 {
		t.Fatalf("a 16-bit icon within the limits: %v", err)
	}
}

func TestProgressiveJPEGIsCountedWithItsCoefficients(t *testing.T) {
	t.Parallel()
	app0 := []byte{0xff, 0xe0, 0, 4, 'J', 'F'}
	sof := func(m byte) []byte { return append([]byte{0xff, 0xd8}, append(app0, 0xff, m, 0, 2)...) }
	if !progressiveJPEG(sof(0xc2)) || progressiveJPEG(sof(0xc0)) || progressiveJPEG([]byte{0xff, 0xd8, 0xff}) {
		t.Fatal("progressive frames are not told from baseline ones")
	}
}

// Icons are decoded two at a time whatever asks for them: six 1024x1024
// icons loaded at once cost about two of them (4 MiB each decoded and
// 3 MiB to scale; measured 16–19 MiB, 45 MiB without the pool), not six.
// Not parallel: it watches this process's heap.
func TestLoaderDecodesFewAtATime(t *testing.T) {
	icon := big(t, 1024, 1024, false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(icon) }))
	defer srv.Close()
	l := &Loader{MaxBytes: 8 << 20}
	// Collect often, so that the heap shows what is live, not garbage.
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done := make(chan struct{})
	var sampled sync.WaitGroup
	sampled.Add(1)
	go func() {
		defer sampled.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := l.Load(context.Background(), fmt.Sprintf("%s/%d.png", srv.URL, i))
			errs <- err
		}()
	}
	wg.Wait()
	close(done)
	sampled.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rise := (peak - base) >> 20
	t.Logf("heap rise loading 6 icons of 1024x1024 at once: %d MiB", rise)
	if rise > 30 {
		t.Fatalf("loading 6 icons at once took %d MiB of heap", rise)
	}
}
