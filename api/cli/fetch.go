package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

type fetchFlags struct {
	id            string
	title         string
	icons         stringList
	downloadTotal string
	dest          string
	onEvent       string
	integrity     stringList
	wait          bool
	control       controlFlags
}

// stringList is a repeatable flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func fetchCommand() *command {
	f := &fetchFlags{}
	return &command{
		name: "fetch", args: "URL…", summary: "start a background fetch of one or more URLs",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.id, "id", "", "the fetch's id, unique among the app's active fetches (default: generated)")
			fs.StringVar(&f.title, "title", "", "title shown in the UI")
			fs.Var(&f.icons, "icon", "icon URL shown in the UI (repeatable)")
			fs.StringVar(&f.downloadTotal, "download-total", "", "expected total size, e.g. 60M or 62914560; more fails the fetch")
			fs.StringVar(&f.dest, "dest", "", "folder the files are moved to on success")
			fs.StringVar(&f.onEvent, "on-event", "", "shell command run for each event (event JSON on stdin)")
			fs.Var(&f.integrity, "integrity", "sha256-<base64> of the i-th URL's body (repeatable, in URL order)")
			fs.BoolVar(&f.wait, "wait", false, "wait until the fetch settles, showing progress; exit 1 on failure")
			f.control.register(fs)
		},
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			req, err := f.request(args)
			if err != nil {
				fmt.Fprintf(e.stderr, "bgfetch fetch: %v\n", err)
				return ExitUsage
			}
			c, err := e.client()
			if err != nil {
				return fail(e, "fetch", err)
			}
			reg, err := c.Fetch(ctx, req)
			if err != nil {
				return fail(e, "fetch", err)
			}
			if !f.wait {
				printRegistration(e, reg)
				return ExitOK
			}
			return waitForFetch(ctx, e, c, reg)
		},
	}
}

// request builds the fetch body from the flags and URLs.
func (f *fetchFlags) request(urls []string) (model.FetchRequest, error) {
	if len(urls) == 0 {
		return model.FetchRequest{}, fmt.Errorf("give at least one URL")
	}
	if len(f.integrity) > len(urls) {
		return model.FetchRequest{}, fmt.Errorf("%d --integrity values for %d URLs", len(f.integrity), len(urls))
	}
	req := model.FetchRequest{ID: f.id, Requests: model.GetRequests(urls...), Title: f.title}
	if req.ID == "" {
		req.ID = "cli-" + time.Now().UTC().Format("20060102-150405.000")
	}
	for i, sum := range f.integrity {
		req.Requests[i].Integrity = sum
	}
	for _, src := range f.icons {
		req.Icons = append(req.Icons, model.Icon{Src: src})
	}
	if f.downloadTotal != "" {
		n, err := parseSize("download-total", f.downloadTotal)
		if err != nil {
			return req, err
		}
		req.DownloadTotal = n
	}
	if f.dest != "" {
		abs, err := filepath.Abs(f.dest)
		if err != nil {
			return req, err
		}
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return req, fmt.Errorf("--dest: %v", err)
		}
		req.Destination = abs
	}
	p, err := f.control.patch()
	if err != nil {
		return req, err
	}
	if p.Priority != nil {
		req.Priority = *p.Priority
	}
	if p.MaxBytesPerSecond != nil {
		req.MaxBytesPerSecond = *p.MaxBytesPerSecond
	}
	if p.Connections != nil {
		req.Connections = *p.Connections
	}
	if p.Metered != nil {
		req.Metered = *p.Metered
	}
	if f.onEvent != "" {
		req.Handler = &model.HandlerSpec{Command: shellCommand(f.onEvent)}
	}
	return req, nil
}

// shellCommand runs a command line through the system shell.
func shellCommand(line string) []string {
	if runtime.GOOS == "windows" {
		return []string{"cmd", "/C", line}
	}
	return []string{"/bin/sh", "-c", line}
}
