package e2eapi

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bgfetch/bgfetch/internal/testserver"
)

// TestLoad: 100 concurrent clients make 100 calls each against 200 active
// fetches. Every id is registered by two clients at once: exactly one
// wins (201) and the other gets 409. No call fails otherwise, and the
// daemon ends with exactly the 200 ids.
func TestLoad(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("load test")
	}
	d := startDaemon(t, "", "")
	f := testserver.New(t)
	const clients, calls, fetches = 100, 100, 200
	var created, conflicts, failures atomic.Int64
	var mu sync.Mutex
	uids := map[string]string{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				var status int
				var b []byte
				switch {
				case i < 4: // 100 clients x 4 = 400 registrations of 200 ids
					id := fmt.Sprintf("load-%d", (c*4+i)%fetches)
					status, b = d.call(t, "POST", "/v1/fetches", map[string]any{"id": id, "requests": f.URL + "/slow/" + id})
					switch status {
					case 201:
						created.Add(1)
						reg := mustDecode[registration](t, b)
						mu.Lock()
						if prev, dup := uids[id]; dup {
							t.Errorf("id %s registered twice: %s and %s", id, prev, reg.UID)
						}
						uids[id] = reg.UID
						mu.Unlock()
					case 409:
						conflicts.Add(1)
					default:
						failures.Add(1)
						t.Errorf("POST: %d %s", status, b)
					}
					continue
				case i%3 == 0:
					status, b = d.call(t, "GET", "/v1/fetches", nil)
				case i%3 == 1:
					status, b = d.call(t, "GET", "/v1/fetches/"+url.PathEscape(fmt.Sprintf("load-%d", (c+i)%fetches)), nil)
					if status == 404 { // not registered yet by its clients
						status = 200
					}
				default:
					status, b = d.call(t, "GET", "/v1/status", nil)
				}
				if status != 200 {
					failures.Add(1)
					t.Errorf("call %d of client %d: %d %s", i, c, status, b)
				}
			}
		}()
	}
	wg.Wait()
	if created.Load() != fetches || conflicts.Load() != clients*4-fetches || failures.Load() != 0 {
		t.Fatalf("created %d (want %d), conflicts %d (want %d), failures %d", created.Load(), fetches, conflicts.Load(), clients*4-fetches, failures.Load())
	}
	status, b := d.call(t, "GET", "/v1/fetches", nil)
	var ids struct{ IDs []string }
	if status != 200 || json.Unmarshal(b, &ids) != nil || len(ids.IDs) != fetches {
		t.Fatalf("ids after the load: %d, %d ids", status, len(ids.IDs))
	}
	sort.Strings(ids.IDs)
	for i := 1; i < len(ids.IDs); i++ {
		if ids.IDs[i] == ids.IDs[i-1] {
			t.Fatalf("duplicated id %s", ids.IDs[i])
		}
	}
	for _, id := range ids.IDs {
		if _, ok := uids[id]; !ok {
			t.Fatalf("id %s listed but never created", id)
		}
	}
}
