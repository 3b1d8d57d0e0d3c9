// Command abuse is `make abuse`: the local API and handlers of a real
// bgfetch daemon probed as an attacker and as a careless client would
// (issue 14). Each case starts its own `bgfetch serve --headless` on a
// fresh data dir, listening on loopback TCP, with at most 1,024 file
// descriptors (`ulimit -n 1024`, both limits), runs one attack with
// bounded counts and time, and measures the daemon from outside: RSS
// (sampled from /proc every 20 ms), CPU, the latency of a token-bearing
// client during the attack, and whether a background fetch that ran
// through the attack finished byte-exact with nothing registered lost.
//
// It prints one table: each measure with its target, the figure measured
// on main before the hardening (testdata/before.tsv, written by
// `abuse -save`), the figure now, and ok or FAIL. It exits 1 when a
// figure misses its target.
//
//	abuse -bin bin/bgfetch [-only case,case] [-save FILE] [-keep]
//
// Standard library only, apart from the icons package (the desktop app's
// icon loader, measured in-process).
package main
