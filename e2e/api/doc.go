// Package e2eapi holds the end-to-end tests of bgfetch's client surface:
// they build the real binary (or take the one BGFETCH_E2E_BINARY names:
// packaging/windows/test-wine.sh runs them against the Windows exe under
// Wine; see target_test.go), start `bgfetch serve --headless` on a
// temporary data directory and a local file server, and drive it only
// through HTTP and the CLI, as client apps do.
package e2eapi
