// Command testhandler is the command handler of the end-to-end tests
// (e2e/api), built for the OS of the bgfetch under test, so that the same
// handler runs behind the Linux binary and the Windows exe.
//
// It reads the event document from stdin, as every handler must. With
// -dir DIR it counts its calls in DIR/count and appends a line
// "N $BGFETCH_EVENT $BGFETCH_ID" to DIR/calls; with -fail-until N it exits
// 7 while the count is below N; with -title T it answers
// {"updateUI": {"title": T}}; with -exit N it exits N.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	dir := flag.String("dir", "", "count calls in DIR/count and log them to DIR/calls")
	failUntil := flag.Int("fail-until", 0, "exit 7 while the call count is below N")
	title := flag.String("title", "", "answer updateUI with this title")
	exit := flag.Int("exit", 0, "exit with this status (after reading stdin)")
	flag.Parse()
	if _, err := io.Copy(io.Discard, os.Stdin); err != nil {
		fail(err)
	}
	n := 0
	if *dir != "" {
		b, _ := os.ReadFile(filepath.Join(*dir, "count"))
		n, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		n++
		if err := os.WriteFile(filepath.Join(*dir, "count"), []byte(strconv.Itoa(n)+"\n"), 0o600); err != nil {
			fail(err)
		}
		f, err := os.OpenFile(filepath.Join(*dir, "calls"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			fail(err)
		}
		fmt.Fprintf(f, "%d %s %s\n", n, os.Getenv("BGFETCH_EVENT"), os.Getenv("BGFETCH_ID"))
		if err := f.Close(); err != nil {
			fail(err)
		}
	}
	if n < *failUntil {
		os.Exit(7)
	}
	if *exit != 0 {
		os.Exit(*exit)
	}
	if *title != "" {
		json.NewEncoder(os.Stdout).Encode(map[string]any{"updateUI": map[string]any{"title": *title}})
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "testhandler:", err)
	os.Exit(1)
}
