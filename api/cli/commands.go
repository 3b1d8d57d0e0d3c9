package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// resolve turns the ID argument into a registration: the active fetch
// with that id, else (for an argument that looks like one) the kept
// registration with that uid; with settled, else the newest settled fetch
// with that id (for retry).
func resolve(ctx context.Context, c *client.Client, arg string, settled bool) (*model.Registration, error) {
	reg, err := c.Get(ctx, arg)
	if err != nil || reg != nil {
		return reg, err
	}
	if strings.HasPrefix(arg, "r_") {
		return c.Registration(ctx, arg)
	}
	// The newest settled fetch with that id, from the history.
	for before := ""; settled; {
		page, err := c.History(ctx, "settled", model.MaxPageSize, before)
		if err != nil {
			return nil, err
		}
		for i := range page.Registrations {
			if page.Registrations[i].ID == arg {
				return &page.Registrations[i], nil
			}
		}
		if page.Next == "" {
			break
		}
		before = page.Next
	}
	msg := fmt.Sprintf("no active fetch has the id %q (a settled fetch is reached by its uid r_…)", arg)
	if settled {
		msg = fmt.Sprintf("no fetch has the id %q", arg)
	}
	return nil, &model.Error{Status: 404, Name: model.NotFoundError, Message: msg}
}

// withRegistration connects, resolves args[0] and runs fn.
func withRegistration(ctx context.Context, e *env, cmd string, args []string, n int, what string,
	fn func(c *client.Client, reg *model.Registration) int) int {
	return withAnyRegistration(ctx, e, cmd, args, n, what, false, fn)
}

// withAnyRegistration is withRegistration; with settled, an id also
// finds the newest settled fetch with that id.
func withAnyRegistration(ctx context.Context, e *env, cmd string, args []string, n int, what string, settled bool,
	fn func(c *client.Client, reg *model.Registration) int) int {
	if !want(e, cmd, args, n, what) {
		return ExitUsage
	}
	c, err := e.client()
	if err != nil {
		return fail(e, cmd, err)
	}
	reg, err := resolve(ctx, c, args[0], settled)
	if err != nil {
		return fail(e, cmd, err)
	}
	return fn(c, reg)
}

func runGet(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
	return withRegistration(ctx, e, "get", args, 1, "ID", func(_ *client.Client, reg *model.Registration) int {
		printRegistration(e, reg)
		return ExitOK
	})
}

func runIDs(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
	if !want(e, "ids", args, 0, "no arguments") {
		return ExitUsage
	}
	c, err := e.client()
	if err != nil {
		return fail(e, "ids", err)
	}
	ids, err := c.IDs(ctx)
	if err != nil {
		return fail(e, "ids", err)
	}
	if e.json {
		printJSON(e, model.IDList{IDs: ids})
		return ExitOK
	}
	for _, id := range ids {
		fmt.Fprintln(e.stdout, id)
	}
	return ExitOK
}

func runAbort(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
	return withRegistration(ctx, e, "abort", args, 1, "ID", func(c *client.Client, reg *model.Registration) int {
		aborted, err := c.Abort(ctx, reg.UID)
		if err != nil {
			return fail(e, "abort", err)
		}
		switch {
		case e.json:
			printJSON(e, model.AbortAnswer{Aborted: aborted})
		case aborted:
			fmt.Fprintf(e.stdout, "aborted %s\n", reg.ID)
		default:
			fmt.Fprintf(e.stdout, "%s was not aborted: it had already settled or been aborted\n", reg.ID)
		}
		return ExitOK
	})
}

// actionRunner runs pause, resume, release or click.
func actionRunner(action string) func(context.Context, *env, *flag.FlagSet, []string) int {
	done := map[string]string{"pause": "paused", "resume": "resumed", "release": "released the records of", "click": "clicked"}[action]
	return func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
		return withRegistration(ctx, e, action, args, 1, "ID", func(c *client.Client, reg *model.Registration) int {
			acts := map[string]func(context.Context, string) (*model.Registration, error){
				"pause": c.Pause, "resume": c.Resume, "release": c.Release, "click": c.Click,
			}
			after, err := acts[action](ctx, reg.UID)
			if err != nil {
				return fail(e, action, err)
			}
			if e.json {
				printJSON(e, after)
			} else {
				fmt.Fprintf(e.stdout, "%s %s\n", done, reg.ID)
			}
			return ExitOK
		})
	}
}

type recordsFlags struct {
	url, method                string
	ignoreSearch, ignoreMethod bool
}

func (f *recordsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", "", "only records of this URL")
	fs.StringVar(&f.method, "method", "", "only records of this method (with --url; default GET)")
	fs.BoolVar(&f.ignoreSearch, "ignore-search", false, "ignore the URLs' query strings when matching")
	fs.BoolVar(&f.ignoreMethod, "ignore-method", false, "ignore the request method when matching")
}

func (f *recordsFlags) query() model.MatchQuery {
	return model.MatchQuery{URL: f.url, Method: f.method, IgnoreSearch: f.ignoreSearch, IgnoreMethod: f.ignoreMethod}
}

func recordsCommand() *command {
	f := &recordsFlags{}
	return &command{
		name: "records", args: "ID", summary: "list a fetch's records (matchAll)",
		flags: f.register,
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			return withRegistration(ctx, e, "records", args, 1, "ID", func(c *client.Client, reg *model.Registration) int {
				recs, err := c.Records(ctx, reg.UID, f.query())
				if err != nil {
					return fail(e, "records", err)
				}
				printRecords(e, recs)
				return ExitOK
			})
		},
	}
}

func runMatch(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
	return withRegistration(ctx, e, "match", args, 2, "ID and URL", func(c *client.Client, reg *model.Registration) int {
		rec, err := c.Match(ctx, reg.UID, model.MatchQuery{URL: args[1]})
		if err != nil {
			return fail(e, "match", err)
		}
		if e.json {
			printJSON(e, model.RecordAnswer{Record: rec})
		} else if rec != nil {
			printRecords(e, []model.Record{*rec})
		} else {
			fmt.Fprintf(e.stdout, "no record of %s matches %s\n", reg.ID, args[1])
		}
		if rec == nil {
			return ExitFailure
		}
		return ExitOK
	})
}
