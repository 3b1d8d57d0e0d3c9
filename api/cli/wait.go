package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
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

// progress shows a live bar on a terminal and plain lines elsewhere, in
// the window's words (size, speed from the daemon's speed, time left).
type progress struct {
	w       io.Writer
	tty     *os.File // nil off a terminal
	lastOut time.Time
	drawn   bool
}

func newProgress(w io.Writer, _ *model.Registration) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = f
	}
	return p
}

func (p *progress) update(reg *model.Registration) {
	if p.tty == nil {
		if time.Since(p.lastOut) >= plainInterval || !reg.Active() {
			p.lastOut = time.Now()
			fmt.Fprintf(p.w, "%s: %s %s\n", reg.ID, reg.State, progressLine(reg))
		}
		return
	}
	if time.Since(p.lastOut) < 100*time.Millisecond && reg.Active() {
		return
	}
	p.lastOut, p.drawn = time.Now(), true
	width := 80
	if w, _, err := term.GetSize(int(p.tty.Fd())); err == nil && w > 20 {
		width = w
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K", barLine(reg, width))
}

// barLine is "ID [=====>     ] 42% 26 MB of 61 MB, 3.1 MB/s, 17 s left",
// cut to width.
func barLine(reg *model.Registration, width int) string {
	text := progressLine(reg)
	head := reg.ID + " "
	barWidth := width - len([]rune(head)) - len([]rune(text)) - 8
	bar := ""
	if f, ok := words.Fraction(*reg); ok && barWidth >= 10 {
		fill := int(f * float64(barWidth))
		bar = "[" + strings.Repeat("=", fill) + strings.Repeat(" ", barWidth-fill) + "] "
		if pct, ok := words.Percent(*reg); ok {
			bar += fmt.Sprintf("%d%% ", pct)
		}
	}
	line := []rune(head + bar + text)
	if len(line) > width-1 {
		line = line[:width-1]
	}
	return string(line)
}

// progressLine is "26 MB of 61 MB, 3.1 MB/s, 17 s left" (the parts known).
func progressLine(reg *model.Registration) string {
	parts := []string{progressText(reg)}
	if s := words.Speed(float64(reg.Speed)); s != "" {
		parts = append(parts, s)
	}
	if eta := words.ETA(*reg, float64(reg.Speed)); eta != "" {
		parts = append(parts, eta)
	}
	return strings.Join(parts, ", ")
}

func (p *progress) stop() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
