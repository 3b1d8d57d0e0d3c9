package downloads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	cases := []struct {
		name      string
		err       error
		get       bool
		temporary bool
		reason    model.FailureReason
	}{
		{"refused", dial, true, true, ""},
		{"reset mid-body", fmt.Errorf("read: %w", syscall.ECONNRESET), true, true, ""},
		{"unexpected EOF", io.ErrUnexpectedEOF, true, true, ""},
		{"timeout", context.DeadlineExceeded, true, true, ""},
		{"stall", errStalled, true, true, ""},
		{"temporary DNS", &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, true, true, ""},
		{"NXDOMAIN (retried a few times)", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, true, true, ""},
		{"503", &retryableStatus{status: 503}, true, true, ""},
		{"upload reset", fmt.Errorf("read: %w", syscall.ECONNRESET), false, false, model.ReasonFetchError},
		{"disk full", &os.PathError{Op: "write", Path: "/x", Err: syscall.ENOSPC}, true, false, model.ReasonQuotaExceeded},
		{"permission", &os.PathError{Op: "open", Path: "/x", Err: syscall.EACCES}, true, false, model.ReasonFetchError},
		{"explicit", failf(model.ReasonDownloadTotalExceeded, "x"), true, false, model.ReasonDownloadTotalExceeded},
		{"unknown during GET (capped retries)", errors.New("weird"), true, true, ""},
		{"unknown during upload", errors.New("weird"), false, false, model.ReasonFetchError},
	}
	for _, c := range cases {
		v := classify(c.err, c.get)
		if v.temporary != c.temporary || (!c.temporary && v.fail.reason != c.reason) {
			t.Errorf("%s: classify = %+v", c.name, v)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":       0,
		"7":      7 * time.Second,
		"-3":     0,
		"999999": time.Hour,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		"garbage": 0,
	} {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseContentRange(t *testing.T) {
	t.Parallel()
	for in, ok := range map[string]bool{
		"bytes 0-99/100":  true,
		"bytes 10-99/100": true,
		"bytes 0-99/*":    false,
		"bytes 50-10/100": false,
		"bytes 0-100/100": false,
		"items 0-1/2":     false,
		"":                false,
	} {
		if _, _, _, got := parseContentRange(in); got != ok {
			t.Errorf("parseContentRange(%q) ok = %v", in, got)
		}
	}
}

// An unknown host is retried a few times, then fails with fetch-error.
func TestUnknownHostFailsAfterRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *Config) { c.BackoffMin, c.BackoffMax = time.Millisecond, 5*time.Millisecond })
	reg := e.fetch("nx", "http://bgfetch-test.invalid/x")
	got := e.waitSettled(reg.UID, 20*time.Second)
	if got.FailureReason != model.ReasonFetchError {
		t.Fatalf("settled = %+v", got)
	}
}
