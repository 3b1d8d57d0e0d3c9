package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/version"
)

// maxAnswerBytes caps what is read of a handler's answer.
const maxAnswerBytes = 1 << 20

// deliverer runs commands and calls webhooks.
type deliverer struct {
	timeout time.Duration
	webhook *http.Client
}

func newDeliverer(timeout time.Duration) deliverer {
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: loopbackOnly}
	return deliverer{
		timeout: timeout,
		webhook: &http.Client{
			Timeout: timeout,
			// Never through a proxy, never anywhere but loopback.
			Transport: &http.Transport{Proxy: nil, DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4},
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // a redirect is not "handled"
			},
		},
	}
}

// loopbackOnly refuses any connection whose resolved address is not
// loopback, whatever name the webhook URL used.
func loopbackOnly(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("webhook address %s is not loopback", address)
	}
	return nil
}

// deliver gives ev to spec and returns the handler's answer when it
// handled the event.
func (dl deliverer) deliver(ctx context.Context, spec model.HandlerSpec, ev model.Event) ([]byte, error) {
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, err
	}
	if len(spec.Command) > 0 {
		return dl.runCommand(ctx, spec.Command, ev, payload)
	}
	return dl.callWebhook(ctx, spec.URL, ev, payload)
}

func (dl deliverer) runCommand(ctx context.Context, argv []string, ev model.Event, payload []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, dl.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdin = bytes.NewReader(payload)
	cmd.Env = append(os.Environ(),
		"BGFETCH_EVENT="+string(ev.Type),
		"BGFETCH_ID="+envValue(ev.Registration.ID),
		"BGFETCH_UID="+ev.Registration.UID,
		"BGFETCH_APP="+ev.Registration.App,
		"BGFETCH_EVENT_ID="+ev.EventID,
	)
	var stdout, stderr cappedBuffer
	stdout.limit, stderr.limit = maxAnswerBytes, 4<<10
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	killProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return nil, fmt.Errorf("command %q killed after %s", argv[0], dl.timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("command %q: %w (stderr: %q)", argv[0], err, stderr.String())
	}
	return stdout.Bytes(), nil
}

func (dl deliverer) callWebhook(ctx context.Context, url string, ev model.Event, payload []byte) ([]byte, error) {
	if err := model.ValidateWebhookURL(url); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", version.UserAgent())
	req.Header.Set("Bgfetch-Event", string(ev.Type))
	req.Header.Set("Bgfetch-Event-Id", ev.EventID)
	req.Header.Set("Bgfetch-Uid", ev.Registration.UID)
	resp, err := dl.webhook.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("webhook answered %s", resp.Status)
	}
	if err != nil {
		return nil, fmt.Errorf("read webhook answer: %w", err)
	}
	return answer, nil
}

// envValue is s as an environment variable can hold it: a NUL byte (in
// ids stored before they were refused) would keep the handler from
// starting at all, so it becomes U+FFFD; the event JSON on stdin has the
// exact id.
func envValue(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }

// cappedBuffer keeps the first limit bytes written and discards the rest,
// so a chatty handler cannot exhaust memory. It has Write only: a buffer
// with ReadFrom (bytes.Buffer) is filled by os/exec's copy without ever
// calling Write, limit or not (a handler printing 100 MB took the daemon
// from 31 to 287 MB).
type cappedBuffer struct {
	buf   []byte
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.limit - len(b.buf); room > 0 {
		keep := p[:min(len(p), room)]
		if len(b.buf)+len(keep) > cap(b.buf) {
			// 32 KiB (an answer is small), then the limit at once: never
			// more than limit, and little garbage on the way.
			size := b.limit
			if cap(b.buf) == 0 && len(keep) <= 32<<10 {
				size = min(b.limit, 32<<10)
			}
			grown := make([]byte, len(b.buf), size)
			copy(grown, b.buf)
			b.buf = grown
		}
		b.buf = append(b.buf, keep...)
	}
	return len(p), nil
}

// Bytes is what was kept.
func (b *cappedBuffer) Bytes() []byte { return b.buf }

func (b *cappedBuffer) String() string { return string(b.buf) }
