package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Secrets the suite hands the daemon; none may ever appear in a log or an
// error answer (caseSecrets greps for them).
const (
	secretBearer = "abuse-SECRET-123"
	secretCookie = "abuse-COOKIE-456"
	secretProxy  = "abuse-PROXYPW-789"
	secretURL    = "abuse-URLPW-000"
)

// uploadBody is a fetch() body of n POST requests to sink?ID-i, each with
// an upload of size bytes and the secret headers.
func uploadBody(id, sink string, n, size int) []byte {
	up := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'u'}, size))
	var b strings.Builder
	fmt.Fprintf(&b, `{"id":%q,"requests":[`, id)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"url":"%s?%s-%d","method":"POST","headers":{"Authorization":"Bearer %s","Cookie":"session=%s"},"body":"%s"}`,
			sink, id, i, secretBearer, secretCookie, up)
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// caseUploadSecret: one fetch with a 20 MiB upload (more than the store
// holds in one value) whose request carries an Authorization header.
func caseUploadSecret(e *env) []row {
	const name, size = "upload-secret", 20 << 20
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	status, b, err := d.call("POST", "/v1/fetches", uploadBody("up", e.fs.url+"/sink", 1, size))
	if err != nil {
		return failedRow(name, err)
	}
	var eb struct {
		Error struct{ Name, Message string } `json:"error"`
	}
	json.Unmarshal(b, &eb)
	answer := fmt.Sprintf("%d %s", status, eb.Error.Name)
	var uids []string
	if status == 201 {
		var reg registration
		json.Unmarshal(b, &reg)
		uids = append(uids, reg.UID)
		_, err := d.settled(reg.UID, 30*time.Second)
		answer = fmt.Sprintf("201, %d MiB arrived", e.fs.sunkBytes("up-0")>>20)
		if err != nil {
			answer += " (" + err.Error() + ")"
		}
	}
	leaked := len(leaks(string(b)+d.logText(), []string{secretBearer, secretCookie})) > 0
	return []row{
		{key: name + "/status", attack: name, measure: "a 20 MiB upload (the store holds 16 MiB a value)", target: "201, 20 MiB arrived",
			value: answer, ok: status == 201 && e.fs.sunkBytes("up-0") == size},
		{key: name + "/leak", attack: name, measure: "the request's bearer token in the answer or the log", target: "no",
			value: yesNo(leaked), ok: !leaked},
		survival(name, d, nil, uids),
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// caseBigBodies: 8 fetch() bodies of 60 MB at once, each 6 uploads of
// 7 MiB (valid: the store holds each).
func caseBigBodies(e *env) []row {
	const name, n = "big-bodies", 8
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	bg := startBG(d, e.fs, name, 4<<20, 1<<20)
	bodies := make([][]byte, n)
	for i := range bodies {
		bodies[i] = uploadBody(fmt.Sprintf("big-%d", i), e.fs.url+"/sink", 6, 7<<20)
	}
	base := rssMiB(d.pid)
	s := sample(d.pid)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var uids []string
	statuses := map[int]int{}
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, b, err := d.call("POST", "/v1/fetches", bodies[i])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				statuses[-1]++
				return
			}
			statuses[status]++
			var reg registration
			if status == 201 && json.Unmarshal(b, &reg) == nil {
				uids = append(uids, reg.UID)
			}
		}()
	}
	wg.Wait()
	bodies = nil
	// The uploads go to the sink; then the memory should be given back.
	for _, uid := range uids {
		d.settled(uid, 60*time.Second)
	}
	peak := s.end()
	t0 := time.Now()
	back := waitFor(30*time.Second, func() bool { return rssMiB(d.pid) <= 60 })
	backIn := fmt.Sprintf("%.1f s (%s)", time.Since(t0).Seconds(), mib(rssMiB(d.pid)))
	if !back {
		backIn = "> 30 s (" + mib(rssMiB(d.pid)) + ")"
	}
	return []row{
		{key: name + "/answers", attack: name, measure: "answers (8 × 6 uploads of 7 MiB)", target: "8 × 201",
			value: fmt.Sprint(statuses), ok: statuses[201] == n},
		{key: name + "/rss", attack: name, measure: fmt.Sprintf("RSS peak (from %s)", mib(base)), target: "≤ 300 MiB", value: mib(peak), ok: peak <= 300},
		{key: name + "/back", attack: name, measure: "time until RSS ≤ 60 MiB once settled", target: "≤ 30 s", value: backIn, ok: back},
		survival(name, d, bg, append(uids, bg.uid)),
	}
}

// caseHugeBody: a 1 GiB body, announced by Content-Length and then sent
// chunked: the client writes no more than the daemon may read before its
// 413 (nothing, or the limit and 1 MiB) and then waits for the answer.
// Counting what a client manages to write until the answer arrives says
// more about the kernel than the daemon: loopback's socket buffers hold up
// to tcp_rmem's maximum (32 MiB on some machines), and after its 413 the
// daemon drains up to the limit again so that a client writing its whole
// body first still sees the answer (drainRefused).
func caseHugeBody(e *env) []row {
	const name = "huge-body"
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	s := sample(d.pid)
	var rows []row
	for _, chunked := range []bool{false, true} {
		how, stopAt := "Content-Length: 1 GiB", int64(0)
		if chunked {
			how, stopAt = "chunked 1 GiB", 65<<20
		}
		sent, status := sendHuge(d, chunked, 1<<30, stopAt)
		rows = append(rows, row{key: fmt.Sprintf("%s/sent-%v", name, chunked), attack: name,
			measure: fmt.Sprintf("answer while the client has sent %d MiB of the body and waits, %s", stopAt>>20, how),
			target:  "413",
			value:   fmt.Sprintf("%s after %d MiB", statusWord(status), sent>>20), ok: status == 413})
	}
	peak := s.end()
	rows = append(rows, row{key: name + "/rss", attack: name, measure: "RSS peak", target: "≤ 150 MiB", value: mib(peak), ok: peak <= 150},
		survival(name, d, nil, nil))
	return rows
}

func statusWord(status int) string {
	if status == 0 {
		return "none in 5 s"
	}
	return fmt.Sprint(status)
}

// sendHuge writes the header of a POST /v1/fetches of size bytes and then
// its body until the daemon answers or stopAt bytes are written; it then
// waits up to 5 s for the answer and returns the bytes written and the
// status (0 for none).
func sendHuge(d *daemon, chunked bool, size, stopAt int64) (int64, int) {
	c, err := net.DialTimeout("tcp", d.addr, 5*time.Second)
	if err != nil {
		return 0, 0
	}
	defer c.Close()
	hdr := fmt.Sprintf("POST /v1/fetches HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n", d.token)
	if chunked {
		hdr += "Transfer-Encoding: chunked\r\n\r\n"
	} else {
		hdr += fmt.Sprintf("Content-Length: %d\r\n\r\n", size)
	}
	answered := make(chan int, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			answered <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		answered <- resp.StatusCode
	}()
	if _, err := io.WriteString(c, hdr); err != nil {
		return 0, <-answered
	}
	chunk := bytes.Repeat([]byte{' '}, 1<<20)
	frame := chunk
	if chunked {
		frame = append([]byte(fmt.Sprintf("%x\r\n", len(chunk))), append(chunk, '\r', '\n')...)
	}
	var sent int64
	for sent < min(size, stopAt) {
		select {
		case st := <-answered:
			return sent, st
		default:
		}
		c.SetWriteDeadline(time.Now().Add(3 * time.Second))
		if _, err := c.Write(frame); err != nil {
			break
		}
		sent += int64(len(chunk))
	}
	select {
	case st := <-answered:
		return sent, st
	case <-time.After(5 * time.Second):
		return sent, 0
	}
}

// caseRecordListing: a fetch of 10,000 requests, its records listed 20
// times by 4 clients at once.
func caseRecordListing(e *env) []row {
	const name, n = "record-listing", 10000
	d, err := e.start(name, nil)
	if err != nil {
		return failedRow(name, err)
	}
	defer d.stop()
	urls := make([]string, n)
	for i := range urls {
		urls[i] = fmt.Sprintf("%s/hold/r%05d-with-a-longer-name-as-real-urls-have", e.fs.url, i)
	}
	reg, err := d.fetch(map[string]any{"id": "many", "requests": urls})
	if err != nil {
		return failedRow(name, err)
	}
	base := rssMiB(d.pid)
	s := sample(d.pid)
	t0 := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				status, b, err := d.call("GET", "/v1/registrations/"+reg.UID+"/records", nil)
				var list struct {
					Records []json.RawMessage `json:"records"`
				}
				if err != nil || status != 200 || json.Unmarshal(b, &list) != nil || len(list.Records) != n {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	took := time.Since(t0)
	peak := s.end()
	return []row{
		{key: name + "/rss", attack: name, measure: fmt.Sprintf("RSS peak, 4 clients × 5 listings of 10,000 records (from %s)", mib(base)),
			target: "≤ 100 MiB", value: mib(peak), ok: peak <= 100},
		{key: name + "/time", attack: name, measure: "time for the 20 listings", target: "≤ 10 s", value: fmt.Sprintf("%.1f s, %d bad", took.Seconds(), bad), ok: took <= 10*time.Second && bad == 0},
		survival(name, d, nil, []string{reg.UID}),
	}
}
