package delivery

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// killProcessGroup makes a timed-out handler die with its children: its
// process group, and every descendant that left the group (setsid, a new
// session) while the handler still ran. Descendants are found through
// /proc and stopped first, so that none can fork another after the walk;
// a grandchild whose parent had already exited belongs to init, out of
// reach (docs/API.md).
func killProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		pid := cmd.Process.Pid
		tree := stopTree(pid)
		for _, p := range tree {
			syscall.Kill(p, syscall.SIGKILL)
		}
		return syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// stopTree sends SIGSTOP to root and to each of its descendants until a
// walk finds none it had not stopped, and returns them all.
func stopTree(root int) []int {
	stopped := map[int]bool{}
	syscall.Kill(root, syscall.SIGSTOP)
	stopped[root] = true
	for round := 0; round < 10; round++ {
		found := false
		for _, p := range descendants(root) {
			if !stopped[p] {
				syscall.Kill(p, syscall.SIGSTOP)
				stopped[p] = true
				found = true
			}
		}
		if !found {
			break
		}
	}
	out := make([]int, 0, len(stopped))
	for p := range stopped {
		out = append(out, p)
	}
	return out
}

// descendants lists the processes below root, from /proc/*/stat.
func descendants(root int) []int {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, ok := parentOf(pid); ok {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var out []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

// parentOf reads the parent pid from /proc/PID/stat (the field after the
// state, which follows the command name in parentheses).
func parentOf(pid int) (int, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0, false
	}
	ppid, err := strconv.Atoi(f[1])
	return ppid, err == nil
}
