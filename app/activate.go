package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bgfetch/bgfetch/api/cli"
	"github.com/bgfetch/bgfetch/internal/winapp"
)

// ActivationURL reports whether args are a toast's activation, as the
// bgfetch: protocol handler runs it: `bgfetch --activate URL` (or
// --activate=URL), and returns the URL.
func ActivationURL(args []string) (string, bool) {
	flag := "--" + winapp.ActivateFlag
	switch {
	case len(args) == 2 && args[0] == flag:
		return args[1], true
	case len(args) == 1 && strings.HasPrefix(args[0], flag+"="):
		return strings.TrimPrefix(args[0], flag+"="), true
	}
	return "", false
}

// Activate handles a clicked toast's bgfetch: URL: it forwards the click
// to the instance running on the URL's data directory (its instance
// window, internal/winapp), or, when none runs there, starts the desktop
// app on it and clicks once it runs. It starts one only on a directory
// bgfetch already uses (it has a store): a URL can come from anywhere.
// It returns the exit status.
func Activate(raw string, stdin io.Reader, stdout, stderr io.Writer) int {
	dir, uid, err := winapp.ParseClickURL(raw)
	if err != nil {
		fmt.Fprintf(stderr, "bgfetch: %v\n", err)
		return cli.ExitUsage
	}
	err = winapp.Click(dir, uid)
	if err == nil {
		return cli.ExitOK
	}
	if !errors.Is(err, winapp.ErrNotRunning) {
		fmt.Fprintf(stderr, "bgfetch: %v\n", err)
		return cli.ExitFailure
	}
	if st, err := os.Stat(filepath.Join(dir, "store")); err != nil || !st.IsDir() {
		fmt.Fprintf(stderr, "bgfetch: %s is not a bgfetch data directory; not starting there\n", dir)
		return cli.ExitFailure
	}
	return cli.Run([]string{"--data-dir", dir}, stdin, stdout, stderr, Desktop{click: uid})
}
