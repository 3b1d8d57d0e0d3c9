// Package cli is the bgfetch command line of api.md: `serve --headless`,
// `fetch`, `get`, `ids`, `abort`, `pause`, `resume`, `records`, `match`,
// `release`, `click` and `events`, with the global flags --data-dir,
// --app, --json, --version and --help. Every command except serve is a
// thin layer over api/client.
//
// Exit status: 0 success, 1 failure (the reason is printed in words), 2
// bad usage or input, 3 bgfetch is not running.
package cli
