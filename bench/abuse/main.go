package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// before.tsv holds the figures measured on main before the hardening
// (`abuse -save bench/abuse/testdata/before.tsv` on that commit): one
// "key<TAB>figure" line per measure.
//
//go:embed testdata/before.tsv
var beforeTSV string

// row is one measure of one attack.
type row struct {
	key     string // stable name: case/measure
	attack  string
	measure string
	target  string
	value   string
	ok      bool
}

// env is what every case gets: the binary, a work dir, the file server.
type env struct {
	bin  string
	work string
	fs   *fileServer
	logs []*daemon // every daemon started, for the secrets case
}

// start runs a daemon for case name.
func (e *env) start(name string, extra []string, environ ...string) (*daemon, error) {
	d, err := startDaemon(e.bin, e.work, name, extra, environ...)
	if err == nil {
		e.logs = append(e.logs, d)
	}
	return d, err
}

type abuseCase struct {
	name string
	run  func(e *env) []row
}

// cases are run in this order; "secrets" last, as it greps every log.
var cases = []abuseCase{
	{"idle-conns", caseIdleConns},
	{"slow-headers", caseSlowHeaders},
	{"keepalive-401", caseKeepalive401},
	{"upload-secret", caseUploadSecret},
	{"big-bodies", caseBigBodies},
	{"huge-body", caseHugeBody},
	{"record-listing", caseRecordListing},
	{"handler-output", caseHandlerOutput},
	{"sse-fanout", caseSSEFanout},
	{"icon-bomb", caseIconBomb},
	{"input", caseInput},
	{"handler-input", caseHandlerInput},
	{"files", caseFiles},
	{"secrets", caseSecrets},
}

func main() {
	bin := flag.String("bin", "bin/bgfetch", "the bgfetch binary")
	only := flag.String("only", "", "run only these cases (comma-separated)")
	save := flag.String("save", "", "write the figures as key<TAB>figure lines to this file")
	keep := flag.Bool("keep", false, "keep the work directory (daemon logs)")
	flag.Parse()
	abs, err := filepath.Abs(*bin)
	if err == nil {
		_, err = os.Stat(abs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "abuse: the bgfetch binary:", err)
		os.Exit(2)
	}
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil && rl.Cur < 4096 {
		fmt.Fprintf(os.Stderr, "abuse: this process may open %d files; the attacks need about 4,096 (ulimit -n 4096)\n", rl.Cur)
		os.Exit(2)
	}
	work, err := os.MkdirTemp("", "bgfetch-abuse.")
	if err != nil {
		fmt.Fprintln(os.Stderr, "abuse:", err)
		os.Exit(2)
	}
	fs, err := startFileServer()
	if err != nil {
		fmt.Fprintln(os.Stderr, "abuse:", err)
		os.Exit(2)
	}
	defer fs.close()
	e := &env{bin: abs, work: work, fs: fs}
	var rows []row
	start := time.Now()
	for _, c := range cases {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), c.name) {
			continue
		}
		t := time.Now()
		logf("%s ...", c.name)
		got := c.run(e)
		rows = append(rows, got...)
		logf("%s: %d measures in %.1f s", c.name, len(got), time.Since(t).Seconds())
	}
	printTable(rows, parseBefore(beforeTSV))
	fmt.Printf("\n%d measures in %.0f s; daemons with at most %d file descriptors each\n", len(rows), time.Since(start).Seconds(), fdLimit)
	if *save != "" {
		var b strings.Builder
		for _, r := range rows {
			fmt.Fprintf(&b, "%s\t%s\n", r.key, r.value)
		}
		if err := os.WriteFile(*save, []byte(b.String()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "abuse:", err)
		}
	}
	failed := 0
	for _, r := range rows {
		if !r.ok {
			failed++
		}
	}
	if *keep || failed > 0 {
		fmt.Fprintf(os.Stderr, "abuse: daemon logs kept in %s\n", work)
	} else {
		os.RemoveAll(work)
	}
	if failed > 0 {
		// Repeated last: CI shows the end of the output, and a miss must be
		// seen there without the whole table.
		for _, r := range rows {
			if !r.ok {
				fmt.Printf("missed: %s | %s | target %s | got %s\n", r.attack, r.measure, r.target, r.value)
			}
		}
		fmt.Printf("%d of %d measures missed their target\n", failed, len(rows))
		os.Exit(1)
	}
}

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "[abuse %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

func parseBefore(tsv string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(tsv, "\n") {
		if k, v, ok := strings.Cut(line, "\t"); ok {
			out[k] = v
		}
	}
	return out
}

func printTable(rows []row, before map[string]string) {
	fmt.Println("| attack | measure | target | before (main 6e48a08, median of 3) | now | |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		b := before[r.key]
		if b == "" {
			b = "–"
		}
		verdict := "ok"
		if !r.ok {
			verdict = "**FAIL**"
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s |\n", r.attack, r.measure, r.target, b, r.value, verdict)
	}
}
