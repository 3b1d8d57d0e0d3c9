// Package proxy turns bgfetch's `proxy` setting (api.md, "Settings") into
// how the engine's HTTP transport connects to servers:
//
//	"none"                     direct connections
//	"http://[user:pw@]host:port"  an HTTP proxy: absolute-URI requests for
//	                           http targets, CONNECT for https ones, with
//	                           Proxy-Authorization from the credentials
//	"https://…"                the same, spoken over TLS to the proxy
//	"socks5://[user:pw@]host:port"  SOCKS5; bgfetch resolves the target's
//	                           name itself and sends the proxy an address
//	"socks5h://…"              SOCKS5; the proxy resolves the name
//	"system"                   the environment (HTTP_PROXY, HTTPS_PROXY,
//	                           ALL_PROXY, NO_PROXY, and their lowercase
//	                           forms) when it names a proxy; otherwise, on
//	                           Linux, the desktop's settings: GNOME's
//	                           org.gnome.system.proxy (read with gsettings)
//	                           or KDE's kioslaverc [Proxy Settings]
//
// Validate checks a setting (a TypeError naming the field `proxy`),
// Configure applies one to an http.Transport, Redact hides credentials
// for logs and error messages. With "system", loopback targets
// (localhost, 127.0.0.0/8, ::1) always connect directly; an explicit URL
// sends everything through the proxy. The engine uses this for downloads
// only: handler webhooks are on loopback and never go through a proxy.
//
// PAC scripts and WPAD (GNOME mode "auto", KDE ProxyType 2 and 3) are
// not evaluated: bgfetch logs that and connects directly.
package proxy
