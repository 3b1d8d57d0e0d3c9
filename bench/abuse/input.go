package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// caseInput: fetch() bodies the contract does not allow.
func caseInput(e *env) []row {
	const name = "input"
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	url := e.fs.url + "/hold/x"
	var uids []string
	post := func(raw string) (int, string) {
		status, b, err := d.call("POST", "/v1/fetches", raw)
		if err != nil {
			return 0, err.Error()
		}
		var reg registration
		if status == 201 && json.Unmarshal(b, &reg) == nil {
			uids = append(uids, reg.UID)
			return status, reg.ID
		}
		return status, ""
	}
	var rows []row
	status, id := post(fmt.Sprintf(`{"id":"lower","ID":"UPPER","requests":%q}`, url))
	rows = append(rows, row{key: name + "/case", attack: name, measure: `{"id":"lower","ID":"UPPER",…}`,
		target: "400", value: strings.TrimSpace(fmt.Sprintf("%d %s", status, id)), ok: status == 400})
	status, _ = post(fmt.Sprintf(`{"id":"nul\u0000id","requests":%q}`, url))
	rows = append(rows, row{key: name + "/nul", attack: name, measure: `an id with a NUL byte`,
		target: "400", value: fmt.Sprint(status), ok: status == 400})
	s1, _ := post(fmt.Sprintf("{\"id\":\"utf\xff8\",\"requests\":%q}", url))
	s2, _ := post(fmt.Sprintf("{\"id\":\"utf\xfe8\",\"requests\":%q}", url))
	rows = append(rows, row{key: name + "/utf8", attack: name, measure: `ids "utf\xff8" then "utf\xfe8" (invalid UTF-8)`,
		target: "400, 400", value: fmt.Sprintf("%d, %d", s1, s2), ok: s1 == 400 && s2 == 400})
	rows = append(rows, updateUIIcons(d, e.fs, 1000), handlerUpdateUI(d, e.fs, 5000))
	return append(rows, survival(name, d, nil, uids))
}

// updateUIIcons answers a live handler's event with updateUI of n icons.
func updateUIIcons(d *daemon, fs *fileServer, n int) row {
	const name = "input"
	app := []string{"Bgfetch-App", "abuse.ui"}
	r := row{key: name + "/updateui", attack: name, measure: fmt.Sprintf("a live handler's updateUI with %d icons", n), target: "400"}
	reg, err := d.fetch(map[string]any{"id": "ui", "requests": fs.url + "/gen/ui?size=10"}, app...)
	if err == nil {
		_, err = d.settled(reg.UID, 30*time.Second, app...)
	}
	if err != nil {
		r.value = err.Error()
		return r
	}
	req, _ := http.NewRequest("GET", d.base+"/v1/events?handle=true", nil)
	req.Header.Set("Authorization", "Bearer "+d.token)
	req.Header.Set(app[0], app[1])
	resp, err := d.hc.Do(req)
	if err != nil {
		r.value = err.Error()
		return r
	}
	eventID := ""
	sc := bufio.NewScanner(resp.Body)
	for eventID == "" && sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
			eventID = v
		}
	}
	resp.Body.Close()
	icons := make([]map[string]string, n)
	for i := range icons {
		icons[i] = map[string]string{"src": fmt.Sprintf("http://h/%d.png", i)}
	}
	status, _, err := d.call("POST", "/v1/events/"+eventID+"/handled", map[string]any{"updateUI": map[string]any{"icons": icons}}, app...)
	r.value, r.ok = fmt.Sprint(status), status == 400 && err == nil
	return r
}

// handlerUpdateUI has a command handler answer updateUI with n icons and
// reads how many icons the registration shows afterwards.
func handlerUpdateUI(d *daemon, fs *fileServer, n int) row {
	const name = "input"
	app := []string{"Bgfetch-App", "abuse.ui2"}
	r := row{key: name + "/updateui-command", attack: name, measure: fmt.Sprintf("a command handler's updateUI with %d icons: icons shown", n), target: "0 (refused)"}
	var icons strings.Builder
	for i := range n {
		if i > 0 {
			icons.WriteByte(',')
		}
		fmt.Fprintf(&icons, `{"src":"http://h/%d.png"}`, i)
	}
	answer := filepath.Join(d.dir, "answer.json")
	if err := os.WriteFile(answer, []byte(`{"updateUI":{"title":"T","icons":[`+icons.String()+`]}}`), 0o600); err != nil {
		r.value = err.Error()
		return r
	}
	reg, err := d.fetch(map[string]any{"id": "ui2", "requests": fs.url + "/gen/ui2?size=10",
		"handler": map[string]any{"command": []string{"/bin/sh", "-c", "cat >/dev/null; cat " + answer}}}, app...)
	if err != nil {
		r.value = err.Error()
		return r
	}
	var shown []json.RawMessage
	ok := waitFor(30*time.Second, func() bool {
		status, b, err := d.call("GET", "/v1/registrations/"+reg.UID, nil, app...)
		var v struct {
			Icons            []json.RawMessage `json:"icons"`
			RecordsAvailable bool              `json:"recordsAvailable"`
			Result           string            `json:"result"`
		}
		if err != nil || status != 200 || json.Unmarshal(b, &v) != nil {
			return false
		}
		shown = v.Icons
		return v.Result != "" && !v.RecordsAvailable
	})
	r.value, r.ok = fmt.Sprint(len(shown)), ok && len(shown) == 0
	if !ok {
		r.value += " (not handled)"
	}
	return r
}
