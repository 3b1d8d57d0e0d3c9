package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/words"
)

// Transfer control on the command line (api.md "CLI" of the second round):
// list, retry, set, settings, and the control flags of fetch.

// controlFlags are --priority, --limit, --connections and --metered, of
// fetch and set.
type controlFlags struct {
	priority, limit, metered string
	connections              int
	fs                       *flag.FlagSet
}

func (c *controlFlags) register(fs *flag.FlagSet) {
	c.fs = fs
	fs.StringVar(&c.priority, "priority", "", "high, normal or low: higher priorities get connections first")
	fs.StringVar(&c.limit, "limit", "", "speed limit of the fetch, e.g. 500k or 2M (bytes a second; 0: none)")
	fs.IntVar(&c.connections, "connections", 0, "connections one file may use, 1 to 16 (0: automatic)")
	fs.StringVar(&c.metered, "metered", "", "allow or wait: what the fetch does on a metered network")
}

// patch is the given flags as a PATCH body; an error names a bad value.
func (c *controlFlags) patch() (model.RegistrationPatch, error) {
	var p model.RegistrationPatch
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["priority"] {
		pr := model.Priority(c.priority)
		if pr.Rank() < 0 {
			return p, fmt.Errorf("--priority %q: give high, normal or low", c.priority)
		}
		p.Priority = &pr
	}
	if set["limit"] {
		n, err := parseSize("limit", c.limit)
		if err != nil {
			return p, err
		}
		p.MaxBytesPerSecond = &n
	}
	if set["connections"] {
		if c.connections < 0 || c.connections > model.MaxConnectionsPerFile {
			return p, fmt.Errorf("--connections %d: give 0 (automatic) to %d", c.connections, model.MaxConnectionsPerFile)
		}
		p.Connections = &c.connections
	}
	if set["metered"] {
		mp := model.MeteredPolicy(c.metered)
		if mp != model.MeteredAllow && mp != model.MeteredWait {
			return p, fmt.Errorf("--metered %q: give allow or wait", c.metered)
		}
		p.Metered = &mp
	}
	return p, nil
}

func listCommand() *command {
	var all bool
	var limit int
	return &command{
		name: "list", summary: "list the active fetches (with --all the whole history) as a table",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&all, "all", false, "the whole history, settled fetches included")
			fs.IntVar(&limit, "limit", 100, "at most this many, newest first (1 to 1000)")
		},
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			if !want(e, "list", args, 0, "no arguments") {
				return ExitUsage
			}
			if limit < 1 || limit > model.MaxPageSize {
				fmt.Fprintf(e.stderr, "bgfetch list: --limit %d: give 1 to %d\n", limit, model.MaxPageSize)
				return ExitUsage
			}
			c, err := e.client()
			if err != nil {
				return fail(e, "list", err)
			}
			state := "active"
			if all {
				state = "all"
			}
			page, err := c.History(ctx, state, limit, "")
			if err != nil {
				return fail(e, "list", err)
			}
			if e.json {
				printJSON(e, page)
				return ExitOK
			}
			printTable(e, page.Registrations)
			return ExitOK
		},
	}
}

// printTable prints registrations one a line.
func printTable(e *env, regs []model.Registration) {
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tPROGRESS\tSPEED\tPRIORITY\tTITLE")
	for _, r := range regs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, words.StateWords(r), words.Amount(r),
			words.Speed(float64(r.Speed)), r.Priority, r.Title)
	}
	tw.Flush()
}

func retryCommand() *command {
	return &command{
		name: "retry", args: "ID|UID", summary: "retry a failed or cancelled fetch (as a new fetch with the same id)",
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			return withAnyRegistration(ctx, e, "retry", args, 1, "ID or UID", true, func(c *client.Client, reg *model.Registration) int {
				next, err := c.Retry(ctx, reg.UID)
				if err != nil {
					return fail(e, "retry", err)
				}
				printRegistration(e, next)
				return ExitOK
			})
		},
	}
}

func setCommand() *command {
	cf := &controlFlags{}
	return &command{
		name: "set", args: "ID|UID", summary: "change an active fetch's priority, speed limit, connections or metered policy",
		flags: cf.register,
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			p, err := cf.patch()
			if err == nil && p == (model.RegistrationPatch{}) {
				err = fmt.Errorf("give at least one of --priority, --limit, --connections, --metered")
			}
			if err != nil {
				fmt.Fprintf(e.stderr, "bgfetch set: %v\n", err)
				return ExitUsage
			}
			return withRegistration(ctx, e, "set", args, 1, "ID or UID", func(c *client.Client, reg *model.Registration) int {
				after, err := c.Update(ctx, reg.UID, p)
				if err != nil {
					return fail(e, "set", err)
				}
				printRegistration(e, after)
				return ExitOK
			})
		},
	}
}

// settingKeys are the settings by their CLI names, with how to read a value.
var settingKeys = map[string]func(p *model.SettingsPatch, v string) error{
	"max-connections":      intSetting(func(p *model.SettingsPatch, n int) { p.MaxConnections = &n }),
	"connections-per-file": intSetting(func(p *model.SettingsPatch, n int) { p.ConnectionsPerFile = &n }),
	"keep-history-days":    intSetting(func(p *model.SettingsPatch, n int) { p.KeepHistoryDays = &n }),
	"max-bytes-per-second": func(p *model.SettingsPatch, v string) error {
		n, err := parseSize("max-bytes-per-second", v)
		p.MaxBytesPerSecond = &n
		return err
	},
	"metered": func(p *model.SettingsPatch, v string) error {
		mp := model.MeteredPolicy(v)
		p.Metered = &mp
		return nil
	},
	"proxy": func(p *model.SettingsPatch, v string) error {
		p.Proxy = &v
		return nil
	},
	"notifications": func(p *model.SettingsPatch, v string) error {
		b, err := strconv.ParseBool(v)
		p.Notifications = &b
		return err
	},
	"schedule": func(p *model.SettingsPatch, v string) error {
		var w []model.ScheduleWindow
		p.Schedule = &w
		return json.Unmarshal([]byte(v), &w)
	},
}

func intSetting(set func(p *model.SettingsPatch, n int)) func(p *model.SettingsPatch, v string) error {
	return func(p *model.SettingsPatch, v string) error {
		n, err := strconv.Atoi(v)
		set(p, n)
		return err
	}
}

func settingsCommand() *command {
	return &command{
		name: "settings", args: "[KEY=VALUE…]", summary: "show the daemon's settings, or change them (e.g. max-bytes-per-second=2M)",
		run: func(ctx context.Context, e *env, _ *flag.FlagSet, args []string) int {
			var p model.SettingsPatch
			for _, a := range args {
				key, v, ok := strings.Cut(a, "=")
				read := settingKeys[key]
				if !ok || read == nil {
					fmt.Fprintf(e.stderr, "bgfetch settings: %q: give KEY=VALUE with KEY one of %s\n", a, strings.Join(sortedKeys(), ", "))
					return ExitUsage
				}
				if err := read(&p, v); err != nil {
					fmt.Fprintf(e.stderr, "bgfetch settings: %s=%q: %v\n", key, v, err)
					return ExitUsage
				}
			}
			c, err := e.client()
			if err != nil {
				return fail(e, "settings", err)
			}
			var s *model.Settings
			if len(args) == 0 {
				s, err = c.Settings(ctx)
			} else {
				s, err = c.UpdateSettings(ctx, p)
			}
			if err != nil {
				return fail(e, "settings", err)
			}
			printSettings(e, s)
			return ExitOK
		},
	}
}

func sortedKeys() []string {
	keys := make([]string, 0, len(settingKeys))
	for k := range settingKeys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func printSettings(e *env, s *model.Settings) {
	if e.json {
		printJSON(e, s)
		return
	}
	sched, _ := json.Marshal(s.Schedule)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "max-connections\t%d\n", s.MaxConnections)
	fmt.Fprintf(tw, "max-bytes-per-second\t%d\n", s.MaxBytesPerSecond)
	fmt.Fprintf(tw, "connections-per-file\t%d\n", s.ConnectionsPerFile)
	fmt.Fprintf(tw, "schedule\t%s\n", sched)
	fmt.Fprintf(tw, "metered\t%s\n", s.Metered)
	fmt.Fprintf(tw, "proxy\t%s\n", s.Proxy)
	fmt.Fprintf(tw, "notifications\t%t\n", s.Notifications)
	fmt.Fprintf(tw, "keep-history-days\t%d\n", s.KeepHistoryDays)
	tw.Flush()
}
