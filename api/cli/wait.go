package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// plainInterval is how often progress lines are printed off a terminal.
const plainInterval = time.Second

// waitForFetch follows reg until it settles and reports the outcome:
// exit 0 on success, 1 on failure with the reason in words.
func waitForFetch(ctx context.Context, e *env, c *client.Client, reg *model.Registration) int {
	// Subscribe first, then look: a fetch that settles in between is seen.
	events, err := c.Events(ctx, client.EventsOptions{UID: reg.UID})
	if err != nil {
		return fail(e, "fetch", err)
	}
	progress := newProgress(e.stderr, reg)
	if cur, err := c.Registration(ctx, reg.UID); err == nil {
		reg = cur
	}
	for reg.Active() {
		ev, ok := <-events
		if !ok {
			progress.stop()
			if ctx.Err() != nil {
				fmt.Fprintf(e.stderr, "bgfetch fetch: stopped waiting; %s goes on in the background (`bgfetch get %s`)\n", reg.ID, reg.ID)
				return ExitFailure
			}
			return fail(e, "fetch", fmt.Errorf("lost the event stream of %s", reg.UID))
		}
		r := ev.Registration
		reg = &r
		progress.update(reg)
	}
	progress.stop()
	return reportSettled(ctx, e, c, reg)
}

// reportSettled prints the outcome of a settled fetch.
func reportSettled(ctx context.Context, e *env, c *client.Client, reg *model.Registration) int {
	var recs []model.Record
	if reg.RecordsAvailable {
		recs, _ = c.Records(ctx, reg.UID, model.MatchQuery{})
	}
	if e.json {
		printJSON(e, model.FetchResult{Registration: *reg, Records: recs})
	} else if reg.Result == model.ResultSuccess {
		fmt.Fprintf(e.stdout, "%s: done, %s\n", reg.ID, progressText(reg))
	} else {
		fmt.Fprintf(e.stderr, "%s failed: %s (%s)\n", reg.ID, words.ReasonWords(reg.FailureReason), reg.FailureReason)
	}
	if !e.json && len(recs) > 0 {
		printRecords(e, recs)
	}
	if reg.Result == model.ResultSuccess {
		return ExitOK
	}
	return ExitFailure
}

// progress shows a live bar on a terminal and plain lines elsewhere.
type progress struct {
	w       io.Writer
	bar     *progressbar.ProgressBar
	max     int64
	lastOut time.Time
}

func newProgress(w io.Writer, reg *model.Registration) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.max = totalOf(reg)
		p.bar = progressbar.NewOptions64(p.max,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(reg.ID),
			progressbar.OptionShowBytes(true),
			progressbar.OptionUseIECUnits(false), // MB, as the window says
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionFullWidth(),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
	}
	return p
}

// totalOf is the best known size of a fetch (-1: unknown).
func totalOf(reg *model.Registration) int64 {
	switch {
	case reg.DownloadTotal > 0:
		return reg.DownloadTotal
	case reg.KnownTotal > 0:
		return reg.KnownTotal
	}
	return -1
}

func (p *progress) update(reg *model.Registration) {
	if p.bar != nil {
		if t := totalOf(reg); t != p.max && t > 0 {
			p.max = t
			p.bar.ChangeMax64(t)
		}
		p.bar.Set64(reg.Downloaded)
		return
	}
	if time.Since(p.lastOut) >= plainInterval || !reg.Active() {
		p.lastOut = time.Now()
		fmt.Fprintf(p.w, "%s: %s %s\n", reg.ID, reg.State, progressText(reg))
	}
}

func (p *progress) stop() {
	if p.bar != nil && !p.bar.IsFinished() {
		p.bar.Exit()
		fmt.Fprintln(p.w)
	}
}
