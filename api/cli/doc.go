// Package cli is the bgfetch command line of api.md, and the one place its
// flags and exit codes are parsed: `bgfetch` alone and `serve` (the desktop
// app handed in by main as a Desktop, or --headless), `fetch`, `get`, `ids`,
// `abort`, `pause`, `resume`, `records`, `match`, `release`, `click`,
// `events` and `handler`, with the global flags --data-dir, --app, --json,
// --version and --help. Every command except serve is a thin layer over
// api/client; sizes and reasons are worded as the window words them
// (internal/words).
//
// Exit status: 0 success, 1 failure (the reason is printed in words), 2
// bad usage or input, 3 bgfetch is not running.
package cli
