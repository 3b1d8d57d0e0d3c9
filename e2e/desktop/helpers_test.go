package desktop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/e2e/desktopenv"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// bin is the bgfetch binary under test, built by TestMain.
var bin string

// outDir is where screenshots go (gitignored; a CI artifact).
var outDir string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	root, err := filepath.Abs("../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	outDir = filepath.Join(root, "e2e", "out")
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "bgfetch-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if b := os.Getenv("BGFETCH_E2E_BIN"); b != "" {
		bin = b // a binary built elsewhere (e.g. with an overlay while developing)
	} else {
		bin = filepath.Join(tmp, "bgfetch")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building bgfetch:", err)
			return 1
		}
	}
	xdndSource = filepath.Join(tmp, "xdndsource")
	cmd := exec.Command("go", "build", "-o", xdndSource, "./e2e/desktop/testdata/xdndsource")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building xdndsource:", err)
		return 1
	}
	return m.Run()
}

// xdndSource is the drag source of the drop test (testdata/xdndsource).
var xdndSource string

// app is one running bgfetch desktop app.
type app struct {
	t        testing.TB
	env      *desktopenv.Env
	home     string
	dataDir  string
	endpoint string
	token    string
	cmd      *exec.Cmd
	logText  func() string
	handler  string // the handler's event log
	exited   chan struct{}
	started  time.Time // when the process started
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer // not embedded: its ReadFrom, which exec's copier uses, would bypass mu
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// appOptions vary how startAppWith runs bgfetch.
type appOptions struct {
	home string   // the HOME (and data dir inside) to use; "" makes a new one
	env  []string // more environment, after (so over) the defaults: LANG=…, FYNE_THEME=…
}

// startApp runs `bgfetch` (the desktop app) in env with a private HOME and
// data dir, and waits for its API.
func startApp(t testing.TB, env *desktopenv.Env, args ...string) *app {
	t.Helper()
	return startAppWith(t, env, appOptions{}, args...)
}

// startAppWith is startApp with options.
func startAppWith(t testing.TB, env *desktopenv.Env, o appOptions, args ...string) *app {
	t.Helper()
	home := o.home
	if home == "" {
		home = t.TempDir()
	}
	a := &app{t: t, env: env, home: home, dataDir: filepath.Join(home, "data"),
		handler: filepath.Join(home, "handler.log"), exited: make(chan struct{})}
	var logs syncBuffer
	cmd := env.Command(context.Background(), bin, append([]string{"--data-dir", a.dataDir}, args...)...)
	cmd.Env = append(cmd.Env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "FYNE_SCALE=1", "FYNE_THEME=light",
		"XDG_DOWNLOAD_DIR="+filepath.Join(home, "Downloads"), "LANG=en_US.UTF-8", "LC_ALL=", "LANGUAGE=",
		"BGFETCH_UI_MAP="+filepath.Join(home, "uimap.json"))
	cmd.Env = append(cmd.Env, o.env...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	a.cmd, a.started = cmd, time.Now()
	go func() { _ = cmd.Wait(); close(a.exited) }()
	t.Cleanup(func() {
		select {
		case <-a.exited:
		default:
			_ = cmd.Process.Signal(os.Interrupt)
			select {
			case <-a.exited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-a.exited
			}
		}
		if t.Failed() {
			t.Logf("bgfetch output:\n%s", logs.String())
		}
	})
	a.logText = logs.String
	waitFor(t, 30*time.Second, "the API endpoint", func() bool {
		select {
		case <-a.exited:
			t.Fatalf("bgfetch exited early:\n%s", logs.String())
		default:
		}
		ep, err1 := os.ReadFile(filepath.Join(a.dataDir, "endpoint"))
		tok, err2 := os.ReadFile(filepath.Join(a.dataDir, "token"))
		if err1 != nil || err2 != nil || len(ep) == 0 {
			return false
		}
		a.endpoint, a.token = strings.TrimSpace(string(ep)), strings.TrimSpace(string(tok))
		return true
	})
	return a
}

// api calls the daemon's HTTP API as app "e2e".
func (a *app) api(method, path string, body any, out any) int {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	base, client := a.endpoint, http.DefaultClient
	if sock, ok := strings.CutPrefix(a.endpoint, "unix:"); ok {
		base = "http://localhost"
		client = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}}}
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Bgfetch-App", "com.example.podcasts")
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			a.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	if resp.StatusCode/100 != 2 {
		a.t.Logf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode
}

type registration struct {
	UID           string `json:"uid"`
	ID            string `json:"id"`
	Title         string `json:"title"`
	Downloaded    int64  `json:"downloaded"`
	Result        string `json:"result"`
	FailureReason string `json:"failureReason"`
	State         string `json:"state"`
}

// fetch registers a fetch whose handler appends "EVENT UID" lines to
// a.handler.
func (a *app) fetch(id, title string, urls []string, icons []map[string]string) registration {
	a.t.Helper()
	script := fmt.Sprintf(`cat >/dev/null; echo "$BGFETCH_EVENT $BGFETCH_UID" >> %q`, a.handler)
	body := map[string]any{"id": id, "title": title, "requests": urls,
		"handler": map[string]any{"command": []string{"/bin/sh", "-c", script}}}
	if icons != nil {
		body["icons"] = icons
	}
	var r registration
	if code := a.api("POST", "/v1/fetches", body, &r); code != http.StatusCreated {
		a.t.Fatalf("fetch %s: status %d", id, code)
	}
	return r
}

func (a *app) registration(uid string) registration {
	a.t.Helper()
	var r registration
	if code := a.api("GET", "/v1/registrations/"+uid, nil, &r); code != http.StatusOK {
		a.t.Fatalf("registration %s: %d", uid, code)
	}
	return r
}

// waitHandler waits until the handler logged event for uid.
func (a *app) waitHandler(event, uid string) {
	a.t.Helper()
	waitFor(a.t, 30*time.Second, event+" at the handler", func() bool {
		data, _ := os.ReadFile(a.handler)
		return strings.Contains(string(data), event+" "+uid+"\n")
	})
}

func (a *app) handlerLog() string {
	data, _ := os.ReadFile(a.handler)
	return string(data)
}

// window waits for the visible bgfetch window and returns its X id.
func (a *app) window() string {
	a.t.Helper()
	var id string
	waitFor(a.t, 30*time.Second, "the bgfetch window", func() bool {
		out, err := a.xdotool("search", "--onlyvisible", "--name", "^bgfetch$")
		if err != nil {
			return false
		}
		f := strings.Fields(out)
		if len(f) == 0 {
			return false
		}
		id = f[0]
		return true
	})
	return id
}

func (a *app) xdotool(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := a.env.Command(ctx, "xdotool", args...).Output()
	return string(out), err
}

// geometry is the window's position and size on screen (xwininfo's
// absolute position: under a window manager xdotool's is off by the
// frame).
func (a *app) geometry(win string) image.Rectangle {
	a.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := a.env.Command(ctx, "xwininfo", "-id", win).Output()
	if err != nil {
		a.t.Fatalf("xwininfo -id %s: %v", win, err)
	}
	v := map[string]int{}
	for _, line := range strings.Split(string(out), "\n") {
		k, s, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok {
			v[k], _ = strconv.Atoi(strings.TrimSpace(s))
		}
	}
	x, y := v["Absolute upper-left X"], v["Absolute upper-left Y"]
	return image.Rect(x, y, x+v["Width"], y+v["Height"])
}

// screenshot saves the screen as e2e/out/NAME.png and returns the image.
func (a *app) screenshot(name string) image.Image {
	a.t.Helper()
	path := filepath.Join(outDir, name+".png")
	a.env.Screenshot(a.t, path)
	f, err := os.Open(path)
	if err != nil {
		a.t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		a.t.Fatal(err)
	}
	return img
}

// cropTo saves the part r of img as e2e/out/NAME.png.
func cropTo(t testing.TB, img image.Image, r image.Rectangle, name string) {
	t.Helper()
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return
	}
	f, err := os.Create(filepath.Join(outDir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, sub.SubImage(r.Intersect(img.Bounds()))); err != nil {
		t.Fatal(err)
	}
}

// Fyne's light-theme colours the tests look for.
var (
	dangerRed   = color.NRGBA{0xf4, 0x43, 0x36, 0xff} // DangerImportance: the Cancel button
	primaryBlue = color.NRGBA{0x29, 0x6f, 0xf6, 0xff} // a progress bar's fill
)

func near(c color.Color, want color.NRGBA, tol int) bool {
	r, g, b, _ := c.RGBA()
	d := func(x uint32, y uint8) int {
		v := int(x>>8) - int(y)
		if v < 0 {
			return -v
		}
		return v
	}
	return d(r, want.R) <= tol && d(g, want.G) <= tol && d(b, want.B) <= tol
}

// blob finds the largest connected area of colour want inside r and
// returns its bounds and pixel count.
func blob(img image.Image, r image.Rectangle, want color.NRGBA, tol int) (image.Rectangle, int) {
	r = r.Intersect(img.Bounds())
	w, h := r.Dx(), r.Dy()
	if w <= 0 || h <= 0 {
		return image.Rectangle{}, 0
	}
	mask := make([]bool, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			mask[y*w+x] = near(img.At(r.Min.X+x, r.Min.Y+y), want, tol)
		}
	}
	seen := make([]bool, w*h)
	var best image.Rectangle
	bestN := 0
	stack := []int{}
	for i := range mask {
		if !mask[i] || seen[i] {
			continue
		}
		n := 0
		bb := image.Rect(i%w, i/w, i%w+1, i/w+1)
		stack = append(stack[:0], i)
		seen[i] = true
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			x, y := p%w, p/w
			bb = bb.Union(image.Rect(x, y, x+1, y+1))
			for _, q := range [][2]int{{x + 1, y}, {x - 1, y}, {x, y + 1}, {x, y - 1}} {
				if q[0] < 0 || q[1] < 0 || q[0] >= w || q[1] >= h {
					continue
				}
				j := q[1]*w + q[0]
				if mask[j] && !seen[j] {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		if n > bestN {
			best, bestN = bb, n
		}
	}
	return best.Add(r.Min), bestN
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// newFileServer is the test file server with the podcast icon at /icon.png.
func newFileServer(t testing.TB) *testserver.Server {
	s := testserver.New(t)
	s.PutFile("/icon.png", testserver.File{Body: testIcon(), ETag: `"icon"`})
	return s
}

// testIcon is a 128x128 podcast-like icon: an orange disc on purple.
func testIcon() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 128, 128))
	for y := 0; y < 128; y++ {
		for x := 0; x < 128; x++ {
			c := color.NRGBA{0x5b, 0x2a, 0x86, 0xff}
			dx, dy := x-64, y-64
			if dx*dx+dy*dy < 40*40 {
				c = color.NRGBA{0xff, 0x98, 0x00, 0xff}
			}
			if dx*dx+dy*dy < 14*14 {
				c = color.NRGBA{0xff, 0xff, 0xff, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
