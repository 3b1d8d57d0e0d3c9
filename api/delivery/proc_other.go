//go:build !unix

package delivery

import "os/exec"

// killProcessGroup: elsewhere, exec.CommandContext kills the process itself.
func killProcessGroup(*exec.Cmd) {}
