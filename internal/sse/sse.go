// Package sse reads Server-Sent Events (the format of GET /v1/events):
// the one parser of the Go client and of every test that reads a stream.
package sse

import (
	"bufio"
	"io"
	"strings"
)

// Frame is one event of a stream.
type Frame struct {
	ID    string // the id: field, valid when HasID
	HasID bool
	Event string // the event: field ("message" when absent)
	Data  string // data: lines joined with "\n"
}

// Reader reads frames from a stream.
type Reader struct {
	sc *bufio.Scanner
}

// NewReader reads frames from r; one line may be up to 64 MiB.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	return &Reader{sc: sc}
}

// Next returns the next frame with data or an id (comments and empty
// frames are skipped), or the stream's error (io.EOF at its end).
func (r *Reader) Next() (Frame, error) {
	var f Frame
	var data []string
	for r.sc.Scan() {
		line := r.sc.Text()
		if line == "" {
			if len(data) > 0 || f.HasID {
				f.Data = strings.Join(data, "\n")
				if f.Event == "" {
					f.Event = "message"
				}
				return f, nil
			}
			f = Frame{}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			f.ID, f.HasID = value, true
		case "event":
			f.Event = value
		case "data":
			data = append(data, value)
		}
	}
	if err := r.sc.Err(); err != nil {
		return Frame{}, err
	}
	return Frame{}, io.EOF
}
