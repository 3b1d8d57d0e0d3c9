// Package datadir is the one place that knows where a bgfetch daemon keeps
// its files and how a client finds it: the data directory (flag, then
// $BGFETCH_DATA_DIR, then the OS convention), the bearer token file, the
// endpoint file that signals readiness, and the default socket path.
//
// Both the daemon (package api) and its clients (api/client, api/cli) use
// it, so it must stay small and import nothing of the engine.
package datadir
