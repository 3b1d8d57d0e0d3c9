// Command bgbench is the measuring hand of scripts/bench.sh and
// scripts/faults.sh. It talks to a running bgfetch daemon over its HTTP API
// exactly as docs/API.md describes it (DATA_DIR/endpoint and DATA_DIR/token,
// unix socket or loopback TCP) with nothing but the standard library, so it
// measures the daemon and not a client package.
//
// Subcommands (every one takes -data-dir DIR):
//
//	register -n N -prefix P [-conc C] [-dest D] [-connections S] [-list FILE -per K] [URL…]
//	    registers fetches and prints "id uid" per line. With -list, the
//	    URLs of FILE are split into fetches of K URLs (ids P0, P1, …);
//	    otherwise N fetches P0…P(N-1) each get every URL given.
//	latency -id ID [-n 2000]
//	    sequential GET /v1/fetches/{id} and GET /v1/fetches; prints p50 and
//	    p99 of each in milliseconds.
//	restartwait -t0 UNIXNANO -ids FILE [-timeout 30s]
//	    after a restart begun at t0: waits for DATA_DIR/endpoint, then polls
//	    every registration of FILE ("id uid" lines) until each is running
//	    and its byte count moved; prints the seconds from t0 to the API
//	    answering, to all transferring (each running or its bytes growing,
//	    whichever came first), to all running and to all moving.
//	await [-timeout 10m] uid…
//	    waits until every registration has settled, riding out daemon
//	    restarts (connection errors are retried); prints "uid result
//	    reason downloaded" per registration; exit 1 if one is not success.
//	get uid
//	    prints "state downloaded result reason" of one registration.
//	records uid
//	    prints "index state downloaded total path" per record, then the
//	    error of each failed record as "index error: …".
//	cpu -pid P
//	    prints the process's user+system CPU seconds so far.
//	rss -pid P
//	    prints VmRSS, VmHWM, RssAnon and RssFile of the process in KiB.
//	run [-cpu-pid P] -- CMD ARG…
//	    runs CMD and prints "wall cpu" in seconds: CMD's own CPU (rusage,
//	    reaped children included) plus the CPU process P used meanwhile
//	    (the daemon, for bgfetch runs).
//	ratewatch -uid UID [-for 20s] [-warm 1s] [-every 100ms]
//	    polls the registration's downloaded bytes from warm after its
//	    first byte for the span given; prints the average rate, the
//	    highest and lowest whole second and each second's rate (B/s).
//	blackhole
//	    holds a loopback port whose accept queue is full (connection
//	    attempts time out rather than being refused); prints
//	    "listening on ADDR", runs until SIGTERM.
package main
