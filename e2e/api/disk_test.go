package e2eapi

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestDownloadTotalOverFreeSpace: a downloadTotal above the data
// directory's free space is refused with 507 QuotaExceededError (the
// daemon asks the OS: statfs on Unix, GetDiskFreeSpaceEx on Windows).
func TestDownloadTotalOverFreeSpace(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, "", "")
	body := `{"id":"huge","requests":"` + testserver.New(t).URL + `/file/x","downloadTotal":` + strconv.FormatInt(1<<53-1, 10) + `}`
	if status, b := d.call(t, "POST", "/v1/fetches", body); status != 507 || errName(b) != "QuotaExceededError" {
		t.Fatalf("downloadTotal 2^53-1: %d %s", status, b)
	}
	if status, b := d.call(t, "GET", "/v1/fetches", nil); status != 200 || string(b) != "{\"ids\":[]}\n" {
		t.Fatalf("a refused fetch was stored: %s", b)
	}
}

// TestDiskFullIsQuotaExceeded: a full disk fails the fetch with
// quota-exceeded, not fetch-error, both while the body downloads into the
// data directory and while it moves to a destination (small tmpfs mounts,
// which Wine shows the Windows exe as full drives: ERROR_DISK_FULL).
func TestDiskFullIsQuotaExceeded(t *testing.T) {
	t.Parallel()
	f := testserver.New(t)
	for _, c := range []struct {
		name     string
		dataSize string // tmpfs for the data directory, "" for none
		destSize string // tmpfs for the destination, "" for none
		body     int
	}{
		{"download", "48m", "", 64 << 20},
		{"destination", "", "1m", 3 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir, dest := t.TempDir(), ""
			if c.dataSize != "" {
				dir = mountTmpfs(t, c.dataSize)
			}
			req := map[string]any{"id": c.name, "requests": f.URL + "/gen/" + c.name + "?size=" + strconv.Itoa(c.body)}
			if c.destSize != "" {
				dest = mountTmpfs(t, c.destSize)
				req["destination"] = hostPath(dest)
			}
			d := startDaemon(t, dir, "")
			reg := d.fetch(t, req)
			final := d.waitReg(t, reg.UID, "settle", settled)
			if final.Result != "failure" || final.FailureReason != "quota-exceeded" {
				t.Fatalf("a full disk gave %s/%s, want failure/quota-exceeded\n%s", final.Result, final.FailureReason, d.logText())
			}
		})
	}
}

// mountTmpfs mounts a tmpfs of size on a new directory for the test.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root (CI runs as root)")
	}
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}
