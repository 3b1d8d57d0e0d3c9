package main

import (
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type server struct {
	root string

	bytes    atomic.Int64
	requests atomic.Int64
	ranges   atomic.Int64

	rate     atomic.Int64
	cut      atomic.Int64
	stall    atomic.Bool
	noRange  atomic.Bool
	wrong206 atomic.Value // string

	// Responses open per path now, and the most open at once since the
	// last reset: how many segments a client fetched a file with.
	openMu      sync.Mutex
	open        map[string]int
	maxParallel int

	mu    sync.Mutex
	conns map[net.Conn]http.ConnState
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to serve on")
	root := flag.String("root", ".", "directory to serve")
	rate := flag.Int64("rate", 0, "bytes per second per response (0: unlimited)")
	flag.Parse()
	s := &server{root: *root, conns: map[net.Conn]http.ConnState{}, open: map[string]int{}}
	s.rate.Store(*rate)
	s.wrong206.Store("")
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	srv := &http.Server{
		Handler:  s,
		ErrorLog: log.New(io.Discard, "", 0),
		ConnState: func(c net.Conn, st http.ConnState) {
			s.mu.Lock()
			defer s.mu.Unlock()
			switch st {
			case http.StateClosed, http.StateHijacked:
				delete(s.conns, c)
			default:
				s.conns[c] = st
			}
		},
	}
	log.Fatal(srv.Serve(ln))
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if ctl, ok := strings.CutPrefix(r.URL.Path, "/_ctl/"); ok {
		s.control(w, r, ctl)
		return
	}
	s.requests.Add(1)
	name := filepath.Join(s.root, filepath.FromSlash(filepath.Clean("/"+r.URL.Path)))
	fh, err := os.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil || fi.IsDir() {
		http.NotFound(w, r)
		return
	}
	var ino uint64
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		ino = st.Ino
	}
	etag := fmt.Sprintf(`"%x-%x-%x"`, ino, fi.Size(), fi.ModTime().UnixNano())
	w.Header().Set("ETag", etag)
	cw := &countingWriter{ResponseWriter: w, s: s, start: time.Now()}
	if r.Method == http.MethodGet {
		defer s.opened(r.URL.Path)()
	}
	if s.noRange.Load() {
		// As a server that does not do ranges: no Accept-Ranges, every
		// GET answered 200 with the whole body.
		r.Header.Del("Range")
		r.Header.Del("If-Range")
		w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			io.Copy(cw, fh)
		}
		return
	}
	w.Header().Set("Accept-Ranges", "bytes")
	if rg := r.Header.Get("Range"); rg != "" {
		s.ranges.Add(1)
		if mode, _ := s.wrong206.Load().(string); mode != "" && r.Method == http.MethodGet {
			s.serveWrong206(cw, fh, fi.Size(), rg, mode)
			return
		}
	}
	http.ServeContent(cw, r, "", fi.ModTime(), fh)
}

// opened counts an open response of path; the func returned closes it.
func (s *server) opened(path string) func() {
	s.openMu.Lock()
	s.open[path]++
	s.maxParallel = max(s.maxParallel, s.open[path])
	s.openMu.Unlock()
	return func() {
		s.openMu.Lock()
		s.open[path]--
		s.openMu.Unlock()
	}
}

// serveWrong206 answers a Range request with a 206 that does not match it.
func (s *server) serveWrong206(w *countingWriter, fh *os.File, size int64, rg, mode string) {
	start := int64(0)
	if v, ok := strings.CutPrefix(rg, "bytes="); ok {
		a, _, _ := strings.Cut(v, "-")
		start, _ = strconv.ParseInt(a, 10, 64)
	}
	total := size
	switch mode {
	case "offset":
		start = min(start+4096, size-1)
	case "total":
		total = size + 1000
	case "full":
		start = 0
	}
	n := size - start
	w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, size-1, total))
	w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusPartialContent)
	io.Copy(w, io.NewSectionReader(fh, start, n))
}

// countingWriter counts body bytes and applies rate, cut and stall.
type countingWriter struct {
	http.ResponseWriter
	s       *server
	start   time.Time
	written int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	var n int
	for len(p) > 0 {
		for c.s.stall.Load() {
			time.Sleep(20 * time.Millisecond)
		}
		chunk := p[:min(len(p), 16<<10)]
		if cut := c.s.cut.Load(); cut > 0 && c.written+int64(len(chunk)) >= cut {
			if keep := cut - c.written; keep > 0 {
				m, _ := c.ResponseWriter.Write(chunk[:keep])
				c.written += int64(m)
				c.s.bytes.Add(int64(m))
			}
			if f, ok := c.ResponseWriter.(http.Flusher); ok {
				f.Flush()
			}
			panic(http.ErrAbortHandler) // the connection closes mid-body
		}
		if rate := c.s.rate.Load(); rate > 0 {
			due := c.start.Add(time.Duration(float64(c.written+int64(len(chunk))) / float64(rate) * float64(time.Second)))
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		m, err := c.ResponseWriter.Write(chunk)
		n += m
		c.written += int64(m)
		c.s.bytes.Add(int64(m))
		if err != nil {
			return n, err
		}
		p = p[m:]
	}
	return n, nil
}

func (s *server) control(w http.ResponseWriter, r *http.Request, what string) {
	switch what {
	case "bytes":
		fmt.Fprintln(w, s.bytes.Load())
	case "stats":
		s.openMu.Lock()
		par := s.maxParallel
		s.openMu.Unlock()
		fmt.Fprintf(w, "bytes %d\nrequests %d\nranges %d\nmaxparallel %d\n", s.bytes.Load(), s.requests.Load(), s.ranges.Load(), par)
	case "reset":
		s.bytes.Store(0)
		s.requests.Store(0)
		s.ranges.Store(0)
		s.openMu.Lock()
		s.maxParallel = 0
		s.openMu.Unlock()
		fmt.Fprintln(w, "ok")
	case "mode":
		q := r.URL.Query()
		for k := range q {
			v := q.Get(k)
			switch k {
			case "rate", "cut":
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					http.Error(w, err.Error(), 400)
					return
				}
				if k == "rate" {
					s.rate.Store(n)
				} else {
					s.cut.Store(n)
				}
			case "wrong206":
				s.wrong206.Store(v)
			case "stall":
				s.stall.Store(v == "1" || v == "true")
			case "norange":
				s.noRange.Store(v == "1" || v == "true")
			default:
				http.Error(w, "unknown mode "+k, 400)
				return
			}
		}
		fmt.Fprintln(w, "ok")
	case "drop":
		n := -1
		if v := r.URL.Query().Get("n"); v != "" {
			n, _ = strconv.Atoi(v)
		}
		fmt.Fprintln(w, s.drop(n))
	case "change":
		if err := s.change(r.URL.Query().Get("path")); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if r.URL.Query().Get("drop") == "0" {
			fmt.Fprintln(w, 0)
			return
		}
		fmt.Fprintln(w, s.drop(-1))
	default:
		http.NotFound(w, r)
	}
}

// drop closes up to limit client connections (limit < 0: all of them),
// those in the middle of a response first; never a control request's own.
func (s *server) drop(limit int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var order []net.Conn
	for c, st := range s.conns {
		if st == http.StateActive {
			order = append([]net.Conn{c}, order...)
		} else {
			order = append(order, c)
		}
	}
	n := 0
	for _, c := range order {
		if limit >= 0 && n >= limit {
			break
		}
		// Control requests come from the server's own host (loopback or
		// its own address); clients come over the link.
		ra, ok1 := c.RemoteAddr().(*net.TCPAddr)
		la, ok2 := c.LocalAddr().(*net.TCPAddr)
		if ok1 && ok2 && (ra.IP.IsLoopback() || ra.IP.Equal(la.IP)) {
			continue
		}
		c.Close()
		delete(s.conns, c)
		n++
	}
	return n
}

// change replaces a file by new random content of the same size.
func (s *server) change(p string) error {
	if p == "" {
		return errors.New("no path")
	}
	name := filepath.Join(s.root, filepath.FromSlash(filepath.Clean("/"+p)))
	fi, err := os.Stat(name)
	if err != nil {
		return err
	}
	tmp := name + ".new"
	fh, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(fh, rand.Reader, fi.Size()); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
