package testserver

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Body is the content of /file/NAME and /slow/NAME when no file was put
// there: 32 KiB of a repeated word.
var Body = bytes.Repeat([]byte("bgfetch "), 4096)

// File is one resource the server serves.
type File struct {
	Body []byte
	// ETag is the strong validator ("" for none: then Last-Modified only).
	ETag string
	// NoRange: no Accept-Ranges, a Range header is ignored (200, whole body).
	NoRange bool
	// Rate caps each response to this many bytes a second (0: no cap), as
	// nginx's limit_rate does per connection.
	Rate int64
}

// Server is a real HTTP server with fault knobs. Routes:
//
//	/PATH            a file put with Put (404 when there is none)
//	/file/NAME       Body, with Range and a fixed Last-Modified
//	/gen/NAME?size=N&rate=BPS  N deterministic bytes (Pattern), at most BPS a second
//	/status/CODE     an answer with that status and a short body
//	/slow/NAME       headers and 1,000 bytes of a 1,000,000-byte body, then
//	                 holds until Release or the end of the test
//	/hold/NAME?size=N  the first 512 KiB (at most half) of N bytes (default
//	                 4 MiB), the rest after Release
//	/stall/NAME      headers and a few bytes, then nothing until the client leaves
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	files    map[string]*File
	cutAfter int64 // close the connection after this many body bytes...
	cuts     int   // ...for this many more GET responses
	statuses []int // answer these statuses first, one per request
	bad206   bool  // answer Range requests with a 206 from byte 0
	throttle time.Duration
	release  chan struct{}
	released bool

	Requests  atomic.Int64 // every request
	Ranged    atomic.Int64 // GETs with a Range header
	Heads     atomic.Int64
	BytesSent atomic.Int64 // body bytes written
}

// New starts a server, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{files: map[string]*File{}, release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	t.Cleanup(s.Release) // runs first: unblock held answers before Close waits for them
	return s
}

// Put serves body at path with a fresh strong ETag and returns its URL.
// Putting again changes the content and the validator.
func (s *Server) Put(path string, body []byte) string {
	return s.PutFile(path, File{Body: body, ETag: fmt.Sprintf(`"v%d-%d"`, len(body), time.Now().UnixNano())})
}

// PutFile serves f at path and returns its URL.
func (s *Server) PutFile(path string, f File) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[path] = &f
	return s.URL + path
}

// Cut closes the next n GET responses after `after` body bytes.
func (s *Server) Cut(after int64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cutAfter, s.cuts = after, n
}

// FailWith answers the next requests with these statuses (and
// Retry-After: 0), one each, before serving normally again.
func (s *Server) FailWith(statuses ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statuses = append(s.statuses, statuses...)
}

// Bad206 makes Range requests get a 206 whose body starts at byte 0.
func (s *Server) Bad206(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bad206 = on
}

// Throttle sleeps d after each 16 KiB written (0: off).
func (s *Server) Throttle(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = d
}

// Release lets held (/slow, /hold) answers finish.
func (s *Server) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.released {
		s.released = true
		close(s.release)
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.Requests.Add(1)
	if r.Method == http.MethodHead {
		s.Heads.Add(1)
	}
	if r.Header.Get("Range") != "" && r.Method == http.MethodGet {
		s.Ranged.Add(1)
	}
	s.mu.Lock()
	if len(s.statuses) > 0 {
		st := s.statuses[0]
		s.statuses = s.statuses[1:]
		s.mu.Unlock()
		w.Header().Set("Retry-After", "0")
		http.Error(w, "try again", st)
		return
	}
	f := s.files[r.URL.Path]
	cut := int64(-1)
	if s.cuts > 0 && r.Method == http.MethodGet {
		s.cuts--
		cut = s.cutAfter
	}
	bad206, throttle, release := s.bad206, s.throttle, s.release
	s.mu.Unlock()

	var out http.ResponseWriter = &countingWriter{ResponseWriter: w, n: &s.BytesSent}
	rate := int64(0)
	if f != nil {
		rate = f.Rate
	}
	if cut >= 0 || throttle > 0 || rate > 0 {
		out = &faultyWriter{ResponseWriter: out, left: cut, throttle: throttle, rate: rate, start: time.Now(), done: r.Context().Done()}
	}
	if f != nil {
		serveFile(out, r, f, bad206)
		return
	}
	first, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	switch first {
	case "file":
		if bad206 && r.Header.Get("Range") != "" {
			writeBad206(out, Body, "")
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		http.ServeContent(out, r, "", time.Unix(1700000000, 0), bytes.NewReader(Body))
	case "gen":
		s.serveGenerated(out, r)
	case "status":
		code, err := strconv.Atoi(name)
		if err != nil || code < 200 || code > 599 {
			code = http.StatusBadRequest
		}
		http.Error(out, http.StatusText(code), code)
	case "slow":
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		out.Write(Body[:1000])
		http.NewResponseController(w).Flush()
		hold(r, release)
	case "hold":
		s.serveHeld(w, out, r, release)
	case "stall":
		w.Header().Set("Content-Length", "1000000")
		w.WriteHeader(http.StatusOK)
		out.Write(Body[:100])
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	default:
		http.Error(out, "no such file", http.StatusNotFound)
	}
}

func hold(r *http.Request, release <-chan struct{}) {
	select {
	case <-release:
	case <-r.Context().Done():
	}
}

func serveFile(w http.ResponseWriter, r *http.Request, f *File, bad206 bool) {
	if bad206 && r.Header.Get("Range") != "" {
		writeBad206(w, f.Body, f.ETag)
		return
	}
	if f.NoRange {
		r.Header.Del("Range")
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(f.Body)
		}
		return
	}
	modified := time.Time{}
	if f.ETag != "" {
		w.Header().Set("ETag", f.ETag)
	} else {
		modified = time.Unix(1700000000, 0)
	}
	http.ServeContent(w, r, "", modified, bytes.NewReader(f.Body))
}

func writeBad206(w http.ResponseWriter, body []byte, etag string) {
	w.Header().Set("Content-Range", fmt.Sprintf("bytes 0-%d/%d", len(body)-1, len(body)))
	if etag != "" {
		w.Header().Set("ETag", etag)
	}
	w.WriteHeader(http.StatusPartialContent)
	w.Write(body)
}

// Pattern is the deterministic content of /gen/ and /hold/ of size bytes.
func Pattern(size int64) []byte {
	b := make([]byte, size)
	PatternAt(size).ReadAt(b, 0)
	return b
}

func (s *Server) serveGenerated(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, err := strconv.ParseInt(q.Get("size"), 10, 64)
	if err != nil || size < 0 {
		http.Error(w, "size=N is required", http.StatusBadRequest)
		return
	}
	if rate, _ := strconv.ParseInt(q.Get("rate"), 10, 64); rate > 0 {
		if fw, ok := w.(*faultyWriter); ok {
			fw.rate = rate
		} else {
			w = &faultyWriter{ResponseWriter: w, left: -1, rate: rate, start: time.Now(), done: r.Context().Done()}
		}
	}
	w.Header().Set("ETag", fmt.Sprintf(`"gen-%d"`, size))
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, "", time.Time{}, patternReader(size))
}

func (s *Server) serveHeld(w http.ResponseWriter, out http.ResponseWriter, r *http.Request, release <-chan struct{}) {
	size, _ := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
	if size <= 0 {
		size = 4 << 20
	}
	body := Pattern(size)
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	first := min(size/2, 512<<10)
	out.Write(body[:first])
	http.NewResponseController(w).Flush()
	select {
	case <-release:
		out.Write(body[first:])
	case <-r.Context().Done():
	}
}
