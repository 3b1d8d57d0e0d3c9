#!/usr/bin/env bash
# packaging/build-windows.sh [OUTDIR] — cross-compile bgfetch for Windows
# amd64:
#   bgfetch.exe      the desktop app, with the pinned fyne tool and Debian's
#                    MinGW-w64 compiler (gcc-mingw-w64-x86-64): a GUI-subsystem
#                    binary (-H windowsgui) with the app icon, manifest and
#                    version information from FyneApp.toml embedded;
#   bgfetch-cli.exe  the command line (cmd/bgfetch-cli): console subsystem,
#                    pure Go (no cgo, no Fyne), so cmd and PowerShell wait
#                    for it and show its output.
#
# Output: OUTDIR/bgfetch.exe, OUTDIR/bgfetch-cli.exe (OUTDIR defaults to
# dist/). A cold build takes about 7 minutes on the CI machine (fyne builds
# twice: once to check the code, again after generating the resource file);
# the CLI takes seconds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out="${1:-$ROOT/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

: "${CC_WINDOWS:=x86_64-w64-mingw32-gcc}"
if ! command -v "$CC_WINDOWS" >/dev/null 2>&1; then
	echo "build-windows: $CC_WINDOWS not found (scripts/install-deps.sh packaging)" >&2
	exit 1
fi
ensure_fyne

stage="$(mktemp -d "${TMPDIR:-/tmp}/bgfetch-win.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
stage_source "$stage/src"

echo "build-windows: fyne package --target windows --release (bgfetch $APP_VERSION)"
start=$(date +%s)
(
	cd "$stage/src"
	CC="$CC_WINDOWS" CGO_ENABLED=1 GOOS=windows GOARCH=amd64 \
		"$FYNE" package --target windows --release --tags "$BUILD_TAGS"
)
exe="$stage/src/bgfetch.exe"
if [ ! -f "$exe" ]; then
	echo "build-windows: fyne package did not produce $exe" >&2
	exit 1
fi
install -m 0755 "$exe" "$out/bgfetch.exe"
echo "build-windows: $out/bgfetch.exe, $(human_size "$out/bgfetch.exe"), built in $(( $(date +%s) - start ))s"

# The same release flags as fyne's (-trimpath, -s -w), with the version
# tags, from the staged copy.
(
	cd "$stage/src"
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 "$GO" build -trimpath -ldflags "-s -w" \
		-tags "release,$BUILD_TAGS" -o "$out/bgfetch-cli.exe" ./cmd/bgfetch-cli
)
echo "build-windows: $out/bgfetch-cli.exe, $(human_size "$out/bgfetch-cli.exe")"
