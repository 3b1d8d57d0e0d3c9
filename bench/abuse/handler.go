package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// caseHandlerOutput: an app handler that prints 100 MB on stdout (the
// daemon reads at most 1 MiB of it).
func caseHandlerOutput(e *env) []row {
	const name = "handler-output"
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	// A warm-up fetch first, so that the HTTP client's buffers are not
	// counted as the handler's.
	warm, err := d.fetch(map[string]any{"id": "warm", "requests": e.fs.url + "/gen/warm?size=100000"}, "Bgfetch-App", "abuse.warm")
	if err == nil {
		_, err = d.settled(warm.UID, 30*time.Second, "Bgfetch-App", "abuse.warm")
	}
	if err != nil {
		return failedRow(name, err)
	}
	app := []string{"Bgfetch-App", "abuse.out"}
	status, b, err := d.call("PUT", "/v1/handler", map[string]any{"command": []string{"/bin/sh", "-c", "head -c 100000000 /dev/zero"}}, app...)
	if err != nil || status != 200 {
		return failedRow(name, fmt.Errorf("PUT /v1/handler: %d %s %v", status, clip(b, 100), err))
	}
	time.Sleep(300 * time.Millisecond)
	base := rssMiB(d.pid)
	s := sample(d.pid)
	reg, err := d.fetch(map[string]any{"id": "loud", "requests": e.fs.url + "/gen/loud?size=1000"}, app...)
	if err != nil {
		return failedRow(name, err)
	}
	// Handled (and released) once the handler exited 0.
	handled := waitFor(60*time.Second, func() bool {
		r, err := d.registration(reg.UID, app...)
		return err == nil && r.Result != "" && !r.RecordsAvailable
	})
	peak := s.end()
	rise := peak - base
	return []row{
		{key: name + "/handled", attack: name, measure: "event handled", target: "yes", value: yesNo(handled), ok: handled},
		{key: name + "/rise", attack: name, measure: fmt.Sprintf("RSS rise over %s while a handler prints 100 MB", mib(base)),
			target: "≤ 2 MiB", value: fmt.Sprintf("%.1f MiB", rise), ok: rise <= 2},
		survival(name, d, nil, []string{"abuse.out|" + reg.UID, "abuse.warm|" + warm.UID}),
	}
}

// caseHandlerInput: handlers the contract does not allow, and one whose
// child leaves its process group before the timeout kill.
func caseHandlerInput(e *env) []row {
	const name = "handler-input"
	d, err := e.start(name, []string{"--handler-timeout", "1s"})
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	var rows []row
	status, _, _ := d.call("PUT", "/v1/handler", map[string]any{"command": []string{"/nonexistent/abuse-handler"}}, "Bgfetch-App", "abuse.missing")
	rows = append(rows, row{key: name + "/missing-binary", attack: name, measure: "PUT /v1/handler with a program that does not exist",
		target: "400", value: fmt.Sprint(status), ok: status == 400})
	status, _, _ = d.call("POST", "/v1/fetches", map[string]any{"id": "nul-arg", "requests": e.fs.url + "/gen/n?size=10",
		"handler": map[string]any{"command": []string{"/bin/echo", "a\x00b"}}})
	rows = append(rows, row{key: name + "/nul-arg", attack: name, measure: "a fetch whose handler argument holds a NUL byte",
		target: "400", value: fmt.Sprint(status), ok: status == 400})

	// A handler that starts a child in a new session, then hangs: the
	// timeout kill must take the child too.
	pidFile := filepath.Join(e.work, "setsid.pid")
	script := fmt.Sprintf("setsid sleep 300 & echo $! > %s; sleep 300", pidFile)
	reg, err := d.fetch(map[string]any{"id": "setsid", "requests": e.fs.url + "/gen/s?size=10",
		"handler": map[string]any{"command": []string{"/bin/sh", "-c", script}}})
	if err != nil {
		return append(rows, failedRow(name, err)...)
	}
	var pid int
	waitFor(20*time.Second, func() bool {
		b, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	})
	// Killed after 1 s; WaitDelay gives it 2 s more.
	survived := pid > 0 && !waitFor(6*time.Second, func() bool { return syscall.Kill(pid, 0) != nil })
	if pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	rows = append(rows, row{key: name + "/setsid", attack: name, measure: "a handler's setsid child alive 6 s after the 1 s timeout",
		target: "no", value: yesNo(survived), ok: pid > 0 && !survived})
	return append(rows, survival(name, d, nil, []string{reg.UID}))
}
