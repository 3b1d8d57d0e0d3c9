// Command linkemu is the long-link emulator of scripts/bench.sh: a
// loopback TCP proxy in user space (this kernel has no netem qdisc) that
// makes each connection behave like one TCP stream over a long link, in
// front of a real server.
//
//	linkemu -listen 127.0.0.1:0 -upstream 127.0.0.1:8080 [-rtt 80ms] [-window 65536]
//
// Per connection: the TCP handshake costs one RTT before the first byte
// goes upstream; every byte is delayed by RTT/2 each way; and at most
// -window bytes go from the server to the client per RTT, as a sender
// whose window is that size sees (64 KiB per 80 ms: about 0.8 MB/s,
// whatever the link's capacity; by Mathis' formula one TCP stream gets
// about as much at 80 ms and 0.1 % loss). Connections are independent, so
// N parallel connections get N times the rate, as on a real long link.
//
// It prints "listening on ADDR" on stdout once it accepts connections,
// and on SIGTERM or SIGINT "connections N bytes M" (accepted connections,
// bytes sent to clients) on stderr.
package main
