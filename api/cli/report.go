package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bgfetch/bgfetch/api/client"
	"github.com/bgfetch/bgfetch/downloads/model"
)

// fail prints err in words and returns its exit status: 3 when bgfetch is
// not running, 2 for input the daemon refused as a TypeError, 1 otherwise.
func fail(e *env, cmd string, err error) int {
	if errors.Is(err, client.ErrNotRunning) {
		fmt.Fprintln(e.stderr, NotRunningMessage)
		return ExitNotRunning
	}
	var apiErr *model.Error
	if errors.As(err, &apiErr) {
		fmt.Fprintf(e.stderr, "bgfetch %s: %s: %s\n", cmd, apiErr.Name, apiErr.Message)
		if apiErr.Name == model.TypeError {
			return ExitUsage
		}
		return ExitFailure
	}
	fmt.Fprintf(e.stderr, "bgfetch %s: %v\n", cmd, err)
	return ExitFailure
}

// printJSON prints v as indented JSON.
func printJSON(e *env, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	fmt.Fprintln(e.stdout, string(b))
}
