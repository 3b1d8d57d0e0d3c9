package sse

import (
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	t.Parallel()
	stream := "retry: 1000\nid: 7\n\n: ping\n\nevent: progress\ndata: {\"a\":1}\n\nid: 8\nevent: backgroundfetchsuccess\ndata: line1\ndata: line2\n\n"
	r := NewReader(strings.NewReader(stream))
	want := []Frame{
		{ID: "7", HasID: true, Event: "message"},
		{Event: "progress", Data: `{"a":1}`},
		{ID: "8", HasID: true, Event: "backgroundfetchsuccess", Data: "line1\nline2"},
	}
	for i, w := range want {
		got, err := r.Next()
		if err != nil || got != w {
			t.Fatalf("frame %d = %+v, %v; want %+v", i, got, err, w)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("after the last frame: %v, want EOF", err)
	}
}
