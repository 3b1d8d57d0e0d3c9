package downloads

import (
	"crypto/sha256"
	"crypto/subtle"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/persistence"
)

// The checks that keep a resumed or finished body exactly the server's.

// ifRangeValue is the validator for If-Range: a strong ETag, else
// Last-Modified (weak ETags are not allowed in If-Range).
func ifRangeValue(ck persistence.Checkpoint) string {
	if ck.ETag != "" && !strings.HasPrefix(ck.ETag, "W/") {
		return ck.ETag
	}
	return ck.LastModified
}

func checkIntegrity(path, integrity string) error {
	want, err := parseIntegrity(integrity)
	if err != nil {
		return failf(model.ReasonFetchError, "%v", err)
	}
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(h.Sum(nil), want) != 1 {
		return failf(model.ReasonFetchError, "integrity check failed: the body's SHA-256 does not match %s", integrity)
	}
	return nil
}

// parseContentRange parses "bytes first-last/total" (total must be known).
func parseContentRange(v string) (first, last, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	first, err1 = strconv.ParseInt(a, 10, 64)
	last, err2 = strconv.ParseInt(b, 10, 64)
	total, err3 = strconv.ParseInt(tot, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || first < 0 || last < first || total <= last {
		return 0, 0, 0, false
	}
	return first, last, total, true
}

func flattenHeaders(h http.Header) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = strings.Join(v, ", ")
	}
	return out
}
