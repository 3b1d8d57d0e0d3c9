package downloads

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/redact"
)

// This file is the one place that decides what an error means: retry later
// (the network or server is temporarily unavailable) or fail the record with
// one of the spec's reasons.

// failure is a permanent record failure with the spec's reason.
type failure struct {
	reason model.FailureReason
	msg    string
}

func (f *failure) Error() string { return string(f.reason) + ": " + f.msg }

func failf(reason model.FailureReason, format string, a ...any) *failure {
	// The message is a record's error: the API answers it, so no secret.
	return &failure{reason: reason, msg: redact.String(fmt.Sprintf(format, a...))}
}

// retryableStatus is a 408/429/5xx answer; the transfer retries after
// Retry-After or the backoff.
type retryableStatus struct {
	status     int
	retryAfter time.Duration
}

func (e *retryableStatus) Error() string {
	return fmt.Sprintf("server answered %d %s", e.status, http.StatusText(e.status))
}

// errStalled is returned when no byte arrived for Config.StallTimeout.
var errStalled = errors.New("no data received: connection stalled")

// errRestart asks for the record to start again from byte zero (the
// resource changed, or the partial no longer matches the checkpoint).
var errRestart = errors.New("the resource changed: restarting from zero")

// verdict is what to do after an attempt failed.
type verdict struct {
	temporary  bool
	retryAfter time.Duration // server-requested delay, if any
	fail       *failure      // set when !temporary
	// capped: retried only maxCappedRetries times in a row, then fail
	// with fail. For "no such host" (offline resolvers say so too) and
	// for errors this file does not recognise during a GET.
	capped bool
	// unreachable: no connection to the host could be made (refused,
	// unreachable, no name, connect timeout); nothing was sent. Records of
	// one host share a probe and a backoff (hosts.go).
	unreachable bool
}

// maxCappedRetries is how many capped errors in a row are retried (about
// half a minute with the default backoff).
const maxCappedRetries = 5

// isDiskFull reports whether err says the disk is full or a quota is
// exhausted (diskFullErrors: ENOSPC/EDQUOT on Unix, ERROR_DISK_FULL,
// ERROR_HANDLE_DISK_FULL and ERROR_DISK_QUOTA_EXCEEDED on Windows).
func isDiskFull(err error) bool {
	for _, e := range diskFullErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// classify maps an attempt's error to a verdict. canResume tells whether
// the request is a GET (a non-GET that loses its connection fails).
func classify(err error, canResume bool) verdict {
	var f *failure
	if errors.As(err, &f) {
		return verdict{fail: f}
	}
	var rs *retryableStatus
	if errors.As(err, &rs) {
		return verdict{temporary: true, retryAfter: rs.retryAfter}
	}
	if isDiskFull(err) {
		return verdict{fail: failf(model.ReasonQuotaExceeded, "the disk is full: %v", err)}
	}
	if isLocalIOError(err) {
		return verdict{fail: failf(model.ReasonFetchError, "cannot write the body: %v", err)}
	}
	if !isNetworkError(err) {
		if canResume {
			return verdict{temporary: true, capped: true, fail: failf(model.ReasonFetchError, "%v", err)}
		}
		return verdict{fail: failf(model.ReasonFetchError, "%v", err)}
	}
	// TLS and certificate failures are not temporary.
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recErr tls.RecordHeaderError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &recErr) {
		return verdict{fail: failf(model.ReasonFetchError, "TLS: %v", err)}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound && !dnsErr.IsTemporary {
		return verdict{temporary: true, capped: true, unreachable: true,
			fail: failf(model.ReasonFetchError, "unknown host %s", dnsErr.Name)}
	}
	if isDialError(err) {
		return verdict{temporary: true, unreachable: true} // nothing was sent: an upload may wait too
	}
	if !canResume {
		return verdict{fail: failf(model.ReasonFetchError, "the connection was lost during a request that cannot be resumed: %v", err)}
	}
	return verdict{temporary: true}
}

// isNetworkError reports errors of the connection rather than of bgfetch:
// dial failures, resets, EOF mid-body, timeouts, DNS, stalls.
func isNetworkError(err error) bool {
	if errors.Is(err, errStalled) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETDOWN) || errors.Is(err, syscall.ETIMEDOUT) ||
		errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// isDialError reports a failure to connect at all: the name did not
// resolve, or the connection (or the proxy's) could not be made.
func isDialError(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) && (oe.Op == "dial" || oe.Op == "proxyconnect")
}

// isLocalIOError reports a failure of the local file system (as opposed to
// the network), other than a full disk.
func isLocalIOError(err error) bool {
	var pe *os.PathError
	var oe *net.OpError
	return errors.As(err, &pe) && !errors.As(err, &oe)
}

// statusVerdict judges a response status before its body is stored.
// attempt counts earlier retryable answers for this record.
func statusVerdict(resp *http.Response, attempt, retries int) error {
	s := resp.StatusCode
	if s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500 {
		if attempt < retries {
			return &retryableStatus{status: s, retryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
		}
	}
	return nil
}

// parseRetryAfter reads delta-seconds or an HTTP date; capped at 1 hour.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d < 0 {
		d = 0
	}
	if d > time.Hour {
		d = time.Hour
	}
	return d
}
