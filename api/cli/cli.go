package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/api/datadir"
	"github.com/bgfetch/bgfetch/internal/version"
)

// Exit statuses.
const (
	ExitOK         = 0
	ExitFailure    = 1
	ExitUsage      = 2
	ExitNotRunning = 3
)

// NotRunningMessage is what every command says when no daemon answers.
const NotRunningMessage = "bgfetch is not running — start it with `bgfetch` or `bgfetch serve --headless`"

// globals are the flags every command accepts, before or after its name.
type globals struct {
	dataDir string
	app     string
	json    bool
	version bool
}

// register adds the global flags to fs, keeping values already parsed
// (flag's *Var functions assign their default).
func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.dataDir, "data-dir", g.dataDir, "data directory (default $BGFETCH_DATA_DIR, else "+datadir.DefaultHelp()+")")
	fs.StringVar(&g.app, "app", g.app, "app scope, sent as Bgfetch-App (default \"default\")")
	fs.BoolVar(&g.json, "json", g.json, "print the API's JSON objects")
	fs.BoolVar(&g.version, "version", g.version, "print the version and exit")
}

// env is what a command runs with.
type env struct {
	globals
	stdin          io.Reader
	stdout, stderr io.Writer
}

// client connects to the daemon of the data directory.
func (e *env) client() (*client.Client, error) {
	return client.New(client.Options{DataDir: e.dataDir, App: e.app})
}

// command is one subcommand.
type command struct {
	name    string
	args    string // usage after the name
	summary string
	flags   func(fs *flag.FlagSet) // command-specific flags, may be nil
	run     func(ctx context.Context, e *env, fs *flag.FlagSet, args []string) int
}

func commands(desktop Desktop) []*command {
	return []*command{
		serveCommand(desktop),
		fetchCommand(),
		{name: "get", args: "ID", summary: "show the active fetch ID (or a registration uid r_…)", run: runGet},
		{name: "ids", summary: "list the ids of active fetches", run: runIDs},
		{name: "abort", args: "ID", summary: "abort a fetch", run: runAbort},
		{name: "pause", args: "ID", summary: "pause a fetch (GET requests only)", run: actionRunner("pause")},
		{name: "resume", args: "ID", summary: "resume a paused fetch", run: actionRunner("resume")},
		recordsCommand(),
		{name: "match", args: "ID URL", summary: "show the record of URL in a fetch", run: runMatch},
		{name: "release", args: "ID", summary: "mark records unavailable and delete bodies kept in the data dir", run: actionRunner("release")},
		{name: "click", args: "ID", summary: "fire backgroundfetchclick, as a click in the UI does", run: actionRunner("click")},
		eventsCommand(),
		handlerCommand(),
		listCommand(),
		retryCommand(),
		setCommand(),
		settingsCommand(),
	}
}

// Run runs bgfetch with args (without the program name) and returns the
// exit status. With no command (only global and serve flags) it runs
// `serve`: the desktop app, when desktop is given and can run here.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer, desktop Desktop) int {
	if isServe(args) {
		args = append([]string{"serve"}, args...)
	}
	var g globals
	top := flag.NewFlagSet("bgfetch", flag.ContinueOnError)
	top.SetOutput(io.Discard)
	g.register(top)
	if err := top.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout, desktop)
			return ExitOK
		}
		fmt.Fprintf(stderr, "bgfetch: %v\n\n", err)
		usage(stderr, desktop)
		return ExitUsage
	}
	if g.version {
		fmt.Fprintf(stdout, "bgfetch %s\n", version.Version)
		return ExitOK
	}
	rest := top.Args()
	name := rest[0]
	if name == "help" {
		if len(rest) > 1 {
			return Run([]string{rest[1], "--help"}, stdin, stdout, stderr, desktop)
		}
		usage(stdout, desktop)
		return ExitOK
	}
	var cmd *command
	for _, c := range commands(desktop) {
		if c.name == name {
			cmd = c
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "bgfetch: unknown command %q\n\n", name)
		usage(stderr, desktop)
		return ExitUsage
	}
	e := &env{globals: g, stdin: stdin, stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("bgfetch "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.globals.register(fs)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	pos, err := parseInterspersed(fs, rest[1:])
	if errors.Is(err, flag.ErrHelp) {
		commandUsage(stdout, cmd, fs)
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "bgfetch %s: %v\n\n", name, err)
		commandUsage(stderr, cmd, fs)
		return ExitUsage
	}
	if e.version {
		fmt.Fprintf(stdout, "bgfetch %s\n", version.Version)
		return ExitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cmd.run(ctx, e, fs, pos)
}

// isServe reports whether args hold no command: only global and serve
// flags, which `bgfetch` alone (the desktop app) accepts.
// RunsDesktop reports whether args run the desktop app: no command, only
// global and serve flags, and not --headless (main's Windows console
// handling asks).
func RunsDesktop(args []string) bool {
	return isServe(args) && !slices.Contains(args, "--headless") && !slices.Contains(args, "-headless")
}

func isServe(args []string) bool {
	if len(args) == 0 {
		return true
	}
	var g globals
	var o ServeOptions
	fs := flag.NewFlagSet("bgfetch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	g.register(fs)
	o.register(fs)
	if fs.Parse(args) != nil { // --help, or flags of some command
		return false
	}
	return fs.NArg() == 0 && !g.version
}

// parseInterspersed parses flags anywhere among the positional arguments
// (`get ID --json`); everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// want checks the number of positional arguments.
func want(e *env, cmd string, args []string, n int, what string) bool {
	if len(args) == n {
		return true
	}
	fmt.Fprintf(e.stderr, "bgfetch %s: expected %s, got %d argument(s); see `bgfetch %s --help`\n", cmd, what, len(args), cmd)
	return false
}

func usage(w io.Writer, desktop Desktop) {
	fmt.Fprint(w, `bgfetch downloads named groups of files in the background and wakes the
app that asked for them when they are done (the web's Background Fetch API,
for desktop apps).

Usage:
  bgfetch [--data-dir DIR] [serve flags]   run the desktop app (tray, window, API)
  bgfetch COMMAND [flags] [args]

Commands:
`)
	for _, c := range commands(desktop) {
		fmt.Fprintf(w, "  %-28s %s\n", strings.TrimSpace(c.name+" "+c.args), c.summary)
	}
	fmt.Fprint(w, `
Global flags (before or after the command):
  --data-dir DIR   data directory (default $BGFETCH_DATA_DIR, else `+datadir.DefaultHelp()+`)
  --app NAME       app scope, sent as Bgfetch-App (default "default")
  --json           print the API's JSON objects
  --version        print the version
  --help           this help; `+"`bgfetch COMMAND --help`"+` for a command's flags

Exit status: 0 success, 1 failure, 2 bad usage or input, 3 bgfetch is not running.
`)
}

func commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: bgfetch %s\n\n%s.\n\nFlags:\n", strings.TrimSpace(c.name+" [flags] "+c.args), strings.ToUpper(c.summary[:1])+c.summary[1:])
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}
