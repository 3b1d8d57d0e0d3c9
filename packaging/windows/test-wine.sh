#!/usr/bin/env bash
# packaging/windows/test-wine.sh — the Windows test bed (`make wine-test`,
# a CI step): the Windows build, run under Wine 8 (Debian's wine64) in a
# private prefix on a private Xvfb, with no D-Bus anywhere.
#
#   1. the Windows-only unit tests, cross-compiled and run under Wine
#      (instance window, registry, Run key, token ACL, network watch, data dir);
#   2. the API end-to-end suite (e2e/api) against DIST/bgfetch.exe as the
#      daemon and DIST/bgfetch-cli.exe as the CLI;
#   3. the console CLI, the desktop app (window, tray, menu, close-to-tray,
#      second start, toast clicks through the bgfetch: protocol, start at
#      login, log-off) and the MSI (install, smoke test, uninstall): e2e/wine.
#
# The prefix's desktop is a virtual one, 1280x800 with a taskbar and its
# notification area (what `wine explorer /desktop=NAME,1280x800 bgfetch.exe`
# gives), so screenshots show what a Windows user sees; they land in
# e2e/out/wine/ (BGFETCH_WINE_SHOTS).
#
# Needs DIST/bgfetch.exe, DIST/bgfetch-cli.exe and the MSI (make windows
# msi) and `scripts/install-deps.sh wine`. Root, for the disk-full tests'
# tmpfs mounts (they skip otherwise).
#
# What Wine cannot do, the harness tolerates (never the product): SIGTERM
# is an abrupt kill there (the suite stops the exe as log-off does);
# os.RemoveAll fails with "Invalid function" (a released fetch's bodies stay
# behind); Wine keeps no file security descriptors; toasts do not show (the
# click path is driven through the protocol handler instead).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../lib.sh"
: "${DIST:=$ROOT/dist}"
DIST="$(cd "$DIST" && pwd)"
MSI="$DIST/bgfetch-$APP_VERSION-windows-amd64.msi"
for f in "$DIST/bgfetch.exe" "$DIST/bgfetch-cli.exe" "$MSI"; do
	[ -f "$f" ] || { echo "wine-test: $f missing (make windows msi)" >&2; exit 1; }
done
for t in Xvfb xdotool import x86_64-w64-mingw32-gcc; do
	command -v "$t" >/dev/null || { echo "wine-test: $t not found (scripts/install-deps.sh wine)" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/bgfetch-wine.XXXXXX")"
export WINEPREFIX="$WORK/prefix"
source "$here/wine/env.sh"
[ -x "$WINE" ] || { echo "wine-test: no wine64 (scripts/install-deps.sh wine)" >&2; exit 1; }
XPID=
cleanup() {
	local rc=$?
	set +e
	wine_stop
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null && wait "$XPID" 2>/dev/null
	rm -rf "$WORK" 2>/dev/null
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== wine-test: %s ==\n' "$*"; }
start=$SECONDS

step "Xvfb, prefix $WINEPREFIX, ProcessPrng shim, virtual desktop"
Xvfb -displayfd 5 -screen 0 1280x800x24 -nolisten tcp 5>"$WORK/display" 2>"$WORK/xvfb.log" &
XPID=$!
for _ in $(seq 1 300); do
	[ -s "$WORK/display" ] && break
	sleep 0.1
done
dpy="$(tr -d '\n' <"$WORK/display")"
[ -n "$dpy" ] || { echo "wine-test: Xvfb did not start" >&2; cat "$WORK/xvfb.log" >&2; exit 1; }
export DISPLAY=":$dpy"
unset DBUS_SESSION_BUS_ADDRESS # no D-Bus on this path
wine_prefix_init
"$WINE" reg add 'HKCU\Software\Wine\Explorer' /v Desktop /d Default /f >/dev/null
"$WINE" reg add 'HKCU\Software\Wine\Explorer\Desktops' /v Default /d 1280x800 /f >/dev/null
"$WINESERVER" -w
x86_64-w64-mingw32-gcc -O2 -s -mwindows -o "$WORK/keepdesktop.exe" "$here/wine/keepdesktop.c"
"$WINE" "$WORK/keepdesktop.exe" >/dev/null 2>&1 &
echo "prefix ready in $((SECONDS - start))s"

step "Windows-only unit tests under Wine"
t0=$SECONDS
unit() { # unit PKG REGEX: cross-compile PKG's tests, run those matching REGEX
	local exe="$WORK/$(basename "$1").test.exe"
	(cd "$ROOT" && CGO_ENABLED=0 GOOS=windows GOARCH=amd64 "$GO" test -c -o "$exe" "./$1")
	"$WINE" "$exe" -test.v -test.run "$2" 2>&1 | sed "s|^|$1: |"
	return "${PIPESTATUS[0]}"
}
unit internal/winapp .
unit internal/netwatch .
unit packaging/autostart 'TestRunKey|TestRunCommand|TestApprovedDisabled|TestLaunchAgent'
unit api/datadir 'TestTokenACL|TestDefaultIsLocalAppData'
echo "unit tests: $((SECONDS - t0))s"

wrap() { # wrap NAME EXE: a script that runs EXE under Wine with the same PID
	printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$WINE" "$2" >"$WORK/$1"
	chmod +x "$WORK/$1"
}
wrap bgfetch "$DIST/bgfetch.exe"
wrap bgfetch-cli "$DIST/bgfetch-cli.exe"

step "API end-to-end suite (e2e/api) against bgfetch.exe and bgfetch-cli.exe"
t0=$SECONDS
(cd "$ROOT" && BGFETCH_E2E_BINARY="$WORK/bgfetch" BGFETCH_E2E_CLI="$WORK/bgfetch-cli" \
	BGFETCH_E2E_GOOS=windows BGFETCH_E2E_EXEC="$WINE" \
	"$GO" test -count=1 -v -timeout 10m -run "${WINE_E2E_RUN:-.}" ./e2e/api 2>&1) | tee "$WORK/e2e-api.log" | grep -E '^(--- |ok|FAIL|panic)|^    [a-z_]+_test\.go'
e2e_rc=${PIPESTATUS[0]}
[ "$e2e_rc" -eq 0 ] || cp "$WORK/e2e-api.log" "${TMPDIR:-/tmp}/bgfetch-wine-e2e-api.log"
echo "e2e/api under Wine: $(grep -c -- '--- PASS' "$WORK/e2e-api.log") passed, $(grep -c -- '--- SKIP' "$WORK/e2e-api.log") skipped, $(grep -c -- '--- FAIL' "$WORK/e2e-api.log") failed, $((SECONDS - t0))s"
[ "$e2e_rc" -eq 0 ] || exit "$e2e_rc"

step "Console CLI, desktop app, toast clicks, MSI (e2e/wine)"
t0=$SECONDS
(cd "$ROOT" && BGFETCH_WINE_DIST="$DIST" BGFETCH_WINE_MSI="$MSI" \
	BGFETCH_WINE_SHOTS="${BGFETCH_WINE_SHOTS:-$ROOT/e2e/out/wine}" \
	"$GO" test -count=1 -v -timeout 10m ./e2e/wine 2>&1) | tee "$WORK/e2e-wine.log" | grep -E '^(--- |ok|FAIL|panic)|^    [a-z_]+_test\.go'
wine_rc=${PIPESTATUS[0]}
echo "e2e/wine: $((SECONDS - t0))s"
[ "$wine_rc" -eq 0 ] || exit "$wine_rc"

step "passed in $((SECONDS - start))s"
echo "  bgfetch.exe      $(human_size "$DIST/bgfetch.exe")"
echo "  bgfetch-cli.exe  $(human_size "$DIST/bgfetch-cli.exe")"
echo "  MSI              $(human_size "$MSI")"
grep -h 'bytes sent again' "$WORK/e2e-api.log" | sed 's/^ */  /' || true
