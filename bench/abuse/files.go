package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// caseFiles: what the daemon does to files that are not its own, and the
// reasons it gives when a destination is unusable.
func caseFiles(e *env) []row {
	const name = "files"
	var rows []row

	// --listen unix:PATH where PATH is someone's regular file.
	precious := filepath.Join(e.work, "precious.txt")
	os.WriteFile(precious, []byte("keep me\n"), 0o644)
	dir := filepath.Join(e.work, "files-listen")
	cmd := exec.Command(e.bin, "serve", "--headless", "--data-dir", dir, "--listen", "unix:"+precious)
	started := cmd.Start() == nil
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	refused := false
	select {
	case err := <-exited:
		refused = started && err != nil
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	b, err := os.ReadFile(precious)
	kept := err == nil && string(b) == "keep me\n"
	rows = append(rows, row{key: name + "/listen", attack: name, measure: "--listen unix:PATH on a regular file",
		target: "refused, file kept", value: fmt.Sprintf("%s, file %s", map[bool]string{true: "refused", false: "served"}[refused],
			map[bool]string{true: "kept", false: "deleted"}[kept]), ok: refused && kept})

	rows = append(rows, dataDirMode(e, name)...)

	d, err := e.start(name, nil)
	if err != nil {
		return append(rows, failedRow(name, err)...)
	}
	defer d.stop()

	// A destination that cannot be created: a path under a regular file.
	dest := filepath.Join(precious, "sub")
	reg, err := d.fetch(map[string]any{"id": "dest", "requests": e.fs.url + "/gen/d?size=1000", "destination": dest})
	var recErr string
	if err == nil {
		_, err = d.settled(reg.UID, 30*time.Second)
	}
	if err == nil {
		_, b, _ := d.call("GET", "/v1/registrations/"+reg.UID+"/records", nil)
		var list struct {
			Records []struct{ Error string } `json:"records"`
		}
		json.Unmarshal(b, &list)
		if len(list.Records) > 0 {
			recErr = list.Records[0].Error
		}
	}
	rows = append(rows, row{key: name + "/dest-error", attack: name, measure: "record error after a destination that is not a directory",
		target: "the reason", value: fmt.Sprintf("%q", clip([]byte(recErr), 60)), ok: recErr != ""})
	return append(rows, survival(name, d, nil, []string{reg.UID}))
}

// dataDirMode starts a daemon on a data dir that exists with mode 0755.
func dataDirMode(e *env, name string) []row {
	dir := filepath.Join(e.work, "files-0755")
	os.MkdirAll(dir, 0o755)
	os.Chmod(dir, 0o755)
	cmd := exec.Command(e.bin, "serve", "--headless", "--data-dir", dir, "--listen", "tcp:127.0.0.1:0")
	if err := cmd.Start(); err != nil {
		return failedRow(name, err)
	}
	waitFor(20*time.Second, func() bool { _, err := os.Stat(filepath.Join(dir, "endpoint")); return err == nil })
	mode := "?"
	if st, err := os.Stat(dir); err == nil {
		mode = fmt.Sprintf("%04o", st.Mode().Perm())
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	return []row{{key: name + "/datadir", attack: name, measure: "an existing data dir of mode 0755 once started",
		target: "0700", value: mode, ok: mode == "0700"}}
}
