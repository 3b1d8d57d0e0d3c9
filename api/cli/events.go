package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/downloads/model"
)

func eventsCommand() *command {
	var id, after string
	return &command{
		name: "events", args: "", summary: "print events as they happen (--json: one JSON object a line)",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&id, "id", "", "only the events of this fetch (id or uid)")
			fs.StringVar(&after, "after", "", "first replay the durable events after this event id")
		},
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			if !want(e, "events", args, 0, "no arguments") {
				return ExitUsage
			}
			c, err := e.client()
			if err != nil {
				return fail(e, "events", err)
			}
			opts := client.EventsOptions{LastEventID: after}
			if id != "" {
				reg, err := resolve(ctx, c, id, false)
				if err != nil {
					return fail(e, "events", err)
				}
				opts.UID = reg.UID
			}
			events, err := c.Events(ctx, opts)
			if err != nil {
				return fail(e, "events", err)
			}
			for ev := range events {
				printEvent(e, ev)
			}
			return ExitOK
		},
	}
}

func printEvent(e *env, ev model.Event) {
	if e.json {
		b, _ := json.Marshal(ev)
		fmt.Fprintln(e.stdout, string(b))
		return
	}
	reg := ev.Registration
	line := fmt.Sprintf("%s\t%s\t%s\t%s", ev.Type, reg.ID, reg.UID, progressText(&reg))
	if reg.FailureReason != "" {
		line += "\t" + string(reg.FailureReason)
	}
	fmt.Fprintln(e.stdout, line)
}
