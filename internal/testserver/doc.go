// Package testserver is the one HTTP file server of bgfetch's tests: a
// real server on loopback that serves files with Range and strong ETags,
// and has knobs for every fault the engine must survive: cut connections,
// retryable statuses, a bad 206, ignored ranges, per-connection rate
// limits, slow and held answers, stalls and content that changes. Tests in
// every package (engine, API, clients, end to end) use it instead of
// writing their own.
package testserver
