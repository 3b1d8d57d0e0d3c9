// Package icons holds bgfetch's own artwork and the handling of icons that
// fetches bring with them.
//
// The app icon and the tray icons (one per tray state) are drawn as SVG in
// src/ and rendered to PNG in png/ (scripts/render-icons.sh, needs
// rsvg-convert); both are embedded so the build needs no renderer.
//
// For fetch icons (the spec's `icons: [{src, sizes, type}]`) it picks the
// best-fitting candidate (Best), decodes untrusted image bytes with size
// limits (Decode) and scales them for the UI (Scale, EncodePNG).
//
// It must not fetch anything from the network or touch storage: callers
// download the chosen Src and cache the result.
package icons
