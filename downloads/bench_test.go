package downloads

import (
	"fmt"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// BenchmarkManySmallFiles: 2,000 files of 64 KiB as 20 fetches of 100,
// through a real HTTP server, a real store and real files (benchmark 2 of
// `make bench` without the daemon around it).
func BenchmarkManySmallFiles(b *testing.B) {
	srv := testserver.New(&testing.T{})
	defer srv.Close()
	body := randomBytes(64 << 10)
	var urls []string
	for i := 0; i < 2000; i++ {
		urls = append(urls, srv.Put(fmt.Sprintf("/f%d", i), body))
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := &testEnv{t: &testing.T{}, dir: b.TempDir(), cfg: fastConfig()}
		e.cfg.ProgressInterval = 250 * time.Millisecond
		e.cfg.CheckpointInterval = time.Second
		e.start()
		b.StartTimer()
		var uids []string
		for j := 0; j < 20; j++ {
			reqs := make([]model.Request, 100)
			for k := range reqs {
				reqs[k] = model.Request{URL: urls[j*100+k]}
			}
			reg, err := e.m.Fetch("bench", model.FetchRequest{ID: fmt.Sprint(j), Requests: reqs})
			if err != nil {
				b.Fatal(err)
			}
			uids = append(uids, reg.UID)
		}
		for _, uid := range uids {
			for {
				r, _ := e.m.Registration(uid)
				if !r.Active() {
					if r.Result != model.ResultSuccess {
						b.Fatalf("%+v", r)
					}
					break
				}
				time.Sleep(2 * time.Millisecond)
			}
		}
		b.StopTimer()
		e.stop()
	}
}
