// Package testproxy runs real proxies on loopback for tests: an HTTP proxy
// (absolute-URI forwarding for http targets, CONNECT tunnels for https
// ones; optionally over TLS, as an https:// proxy) and a SOCKS5 server
// (RFC 1928 CONNECT with no authentication or RFC 1929 username/password;
// IPv4, IPv6 and domain-name address types).
//
// Each counts the connections it accepted and the bytes it relayed, and
// records the target each client asked for exactly as asked (a host name
// or an address), which tells a client that let the proxy resolve names
// (socks5h) from one that resolved them itself (socks5). Host names in
// Hosts resolve to the given addresses inside the proxy only, so a test
// can use a name nothing else can resolve: a download of it succeeds only
// through the proxy. Credentials, when set, are required and checked.
package testproxy
