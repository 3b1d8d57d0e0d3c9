package cli

import (
	"context"
	"flag"
	"fmt"

	"github.com/bgfetch/bgfetch/downloads/model"
)

type handlerFlags struct {
	url   string
	clear bool
}

// handlerCommand shows or sets the app's default handler (PUT /v1/handler).
func handlerCommand() *command {
	f := &handlerFlags{}
	return &command{
		name: "handler", args: "[COMMAND ARG…]", summary: "show or set the app's event handler (a command, or --url)",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&f.url, "url", "", "a loopback webhook, http://127.0.0.1:PORT/path")
			fs.BoolVar(&f.clear, "clear", false, "remove the handler: events only go to `bgfetch events`")
		},
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			c, err := e.client()
			if err != nil {
				return fail(e, "handler", err)
			}
			switch {
			case f.clear:
				err = c.DeleteHandler(ctx)
			case f.url != "" || len(args) > 0:
				err = c.SetHandler(ctx, model.HandlerSpec{URL: f.url, Command: args})
			}
			if err != nil {
				return fail(e, "handler", err)
			}
			h, err := c.Handler(ctx)
			if err != nil {
				return fail(e, "handler", err)
			}
			switch {
			case e.json:
				printJSON(e, h)
			case h == nil:
				fmt.Fprintf(e.stdout, "app %s has no handler\n", c.App())
			case h.URL != "":
				fmt.Fprintf(e.stdout, "app %s: webhook %s\n", c.App(), h.URL)
			default:
				fmt.Fprintf(e.stdout, "app %s: command %q\n", c.App(), h.Command)
			}
			return ExitOK
		},
	}
}
