package server

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/bgfetch/bgfetch/downloads/model"
)

// writeRecordList, record by record, answers exactly what writeJSON of the
// whole list does: the same bytes and headers but the length, for none,
// one and many records (headers maps, characters JSON escapes).
func TestWriteRecordListSameBytes(t *testing.T) {
	t.Parallel()
	many := make([]model.Record, 3000)
	for i := range many {
		many[i] = model.Record{Index: i, State: "done", Downloaded: int64(i), Total: 100,
			Request:  model.Request{URL: fmt.Sprintf("https://example.test/a?b=<%d>&c", i), Method: "GET"},
			Response: &model.Response{Status: 200, Headers: map[string]string{"Z": "1", "A": "\"x\"", "M": "é"}}}
	}
	for _, recs := range [][]model.Record{nil, {}, many[:1], many} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		writeJSON(want, 200, model.RecordList{Records: recs})
		writeRecordList(got, recs)
		if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
			t.Fatalf("%d records: streamed %d bytes differ from the marshalled %d", len(recs), got.Body.Len(), want.Body.Len())
		}
		if got.Code != want.Code || got.Header().Get("Content-Type") != want.Header().Get("Content-Type") ||
			got.Header().Get("Cache-Control") != want.Header().Get("Cache-Control") {
			t.Fatalf("%d records: status %d %v, want %d %v", len(recs), got.Code, got.Header(), want.Code, want.Header())
		}
	}
}
