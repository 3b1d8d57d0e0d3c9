package downloads

import (
	"bytes"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/bgfetch/bgfetch/downloads/model"
	"github.com/bgfetch/bgfetch/internal/testproxy"
	"github.com/bgfetch/bgfetch/internal/testserver"
)

// The proxy setting, through real proxies on loopback: an HTTP proxy and a
// SOCKS5 server, both with credentials, fetch from a host name only they
// can resolve (so nothing can go around them); "none" goes direct again.
func TestProxySetting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	srv := testserver.New(t)
	body := randomBytes(256 << 10)
	srv.Put("/f", body)
	u, _ := url.Parse(srv.URL)
	hosts := map[string]string{"origin.test": "127.0.0.1"}
	httpProxy := testproxy.NewHTTP(t, testproxy.HTTPOptions{User: "alice", Password: "s3cret", Hosts: hosts})
	socks := testproxy.NewSOCKS5(t, testproxy.SOCKS5Options{User: "bob", Password: "hunter2", Hosts: hosts})
	for i, c := range []struct {
		setting string
		stats   *testproxy.Stats
	}{
		{"http://alice:s3cret@" + httpProxy.Addr, &httpProxy.Stats},
		{"socks5h://bob:hunter2@" + socks.Addr, &socks.Stats},
	} {
		if _, err := e.m.UpdateSettings(model.SettingsPatch{Proxy: &c.setting}); err != nil {
			t.Fatal(err)
		}
		before := c.stats.Conns.Load()
		reg := e.fetch(fmt.Sprint("p", i), "http://origin.test:"+u.Port()+"/f")
		got := e.waitSettled(reg.UID, 10*time.Second)
		if got.Result != model.ResultSuccess || !bytes.Equal(e.body(reg.UID, 0), body) {
			t.Fatalf("through %s: %+v", c.setting, got)
		}
		if c.stats.Conns.Load() == before {
			t.Fatalf("%s saw no connection", c.setting)
		}
	}
	none := "none"
	if _, err := e.m.UpdateSettings(model.SettingsPatch{Proxy: &none}); err != nil {
		t.Fatal(err)
	}
	before := socks.Conns.Load()
	reg := e.fetch("direct", srv.URL+"/f")
	if got := e.waitSettled(reg.UID, 10*time.Second); got.Result != model.ResultSuccess || socks.Conns.Load() != before {
		t.Fatalf("direct: %+v", got)
	}
}
