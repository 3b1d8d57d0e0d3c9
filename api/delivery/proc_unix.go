//go:build unix && !linux

package delivery

import (
	"os/exec"
	"syscall"
)

// killProcessGroup makes a timed-out handler die with its children.
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
