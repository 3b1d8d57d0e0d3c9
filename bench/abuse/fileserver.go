package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fileServer is the suite's own HTTP server on loopback: the files the
// background fetches download, a sink for uploads, answers that never end
// and decompression-bomb icons.
//
//	/gen/NAME?size=N&rate=BPS  N deterministic bytes (Range honoured), BPS a second
//	/sink                      reads any body, answers 200
//	/hold/NAME                 headers and 100 bytes, then nothing until the client leaves
//	/icon/NAME.png             a 4096x4096 16-bit RGBA PNG (a few KiB compressed)
type fileServer struct {
	url  string
	srv  *http.Server
	once sync.Once
	icon []byte

	mu   sync.Mutex
	sunk map[string]int64 // bytes each /sink?QUERY received
}

func startFileServer() (*fileServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	fs := &fileServer{url: "http://" + l.Addr().String(), sunk: map[string]int64{}}
	fs.srv = &http.Server{Handler: http.HandlerFunc(fs.serve)}
	go fs.srv.Serve(l)
	return fs, nil
}

func (fs *fileServer) close() { fs.srv.Close() }

// sunkBytes is what /sink?query received last.
func (fs *fileServer) sunkBytes(query string) int64 {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.sunk[query]
}

func (fs *fileServer) serve(w http.ResponseWriter, r *http.Request) {
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch first {
	case "gen":
		size, _ := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
		rate, _ := strconv.ParseInt(r.URL.Query().Get("rate"), 10, 64)
		var out http.ResponseWriter = w
		if rate > 0 {
			out = &rateWriter{ResponseWriter: w, rate: rate, start: time.Now()}
		}
		w.Header().Set("ETag", fmt.Sprintf(`"gen-%d"`, size))
		http.ServeContent(out, r, "", time.Time{}, io.NewSectionReader(pattern(size), 0, size))
	case "sink":
		n, _ := io.Copy(io.Discard, r.Body)
		fs.mu.Lock()
		fs.sunk[r.URL.RawQuery] = n
		fs.mu.Unlock()
		w.Write([]byte("ok\n"))
	case "hold":
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		w.Write(make([]byte, 100))
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	case "icon":
		w.Header().Set("Content-Type", "image/png")
		w.Write(fs.iconBytes())
	default:
		http.NotFound(w, r)
	}
}

// iconBytes is a 4096x4096 RGBA64 PNG: 128 MiB once decoded, a few KiB on
// the wire, within the icon decoder's side limit of 4096.
func (fs *fileServer) iconBytes() []byte {
	fs.once.Do(func() {
		img := image.NewRGBA64(image.Rect(0, 0, 4096, 4096))
		img.SetRGBA64(0, 0, color.RGBA64{R: 0xffff, A: 0xffff})
		var buf bytes.Buffer
		png.Encode(&buf, img)
		fs.icon = buf.Bytes()
	})
	return fs.icon
}

// pattern reads N deterministic bytes at any offset without holding them.
type pattern int64

func patternByte(j int64) byte { return byte(uint64(j)*0x9E3779B97F4A7C15>>56) ^ byte(j>>20) }

func (p pattern) ReadAt(b []byte, off int64) (int, error) {
	if off >= int64(p) {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), int64(p)-off))
	for i := 0; i < n; i++ {
		b[i] = patternByte(off + int64(i))
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// patternSum is the hex SHA-256 of pattern(size).
func patternSum(size int64) string {
	h := sha256.New()
	io.Copy(h, io.NewSectionReader(pattern(size), 0, size))
	return hex.EncodeToString(h.Sum(nil))
}

// rateWriter writes at most rate bytes a second.
type rateWriter struct {
	http.ResponseWriter
	rate    int64
	start   time.Time
	written int64
}

func (rw *rateWriter) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		n := min(len(p), 16<<10)
		if due := time.Duration(float64(rw.written) / float64(rw.rate) * float64(time.Second)); due > time.Since(rw.start) {
			time.Sleep(due - time.Since(rw.start))
		}
		w, err := rw.ResponseWriter.Write(p[:n])
		total += w
		rw.written += int64(w)
		if err != nil {
			return total, err
		}
		p = p[n:]
	}
	return total, nil
}

func (rw *rateWriter) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
