// Package e2ewine holds the Windows exe's end-to-end tests that need Wine
// itself, beyond the API suite (e2e/api, which runs against the exe too):
// the console CLI, the desktop app on Wine's virtual desktop (window, tray
// icon and menu, close-to-tray, a second start, Start at login, toast
// clicks through the bgfetch: protocol, log-off) and the MSI.
//
// packaging/windows/test-wine.sh (`make wine-test`) runs them with the
// Wine environment set up (WINE, WINEPREFIX with a 1280x800 virtual
// desktop, DISPLAY on a private Xvfb, BGFETCH_WINE_DIST, BGFETCH_WINE_MSI,
// BGFETCH_WINE_SHOTS); without it every test skips.
package e2ewine
