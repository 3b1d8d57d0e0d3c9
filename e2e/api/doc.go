// Package e2eapi holds the end-to-end tests of bgfetch's client surface:
// they build the real binary, start `bgfetch serve --headless` on a
// temporary data directory and a local file server, and drive it only
// through HTTP and the CLI, as client apps do.
package e2eapi
