# packaging/windows/wine/env.sh — the Wine test bed's environment (sourced).
#
# A private prefix (never ~/.wine), no debug chatter, and the one fix Wine
# 8.0 needs to run any Go >= 1.24 exe: a bcryptprimitives.dll exporting
# ProcessPrng (processprng.c), built here with MinGW-w64 and copied into the
# prefix's system32. Debian 12: `scripts/install-deps.sh wine`.
#
# Provides: WINE (the wine64 loader), WINEPREFIX, wine_prefix_init,
# wine_stop, winpath PATH (the Z:\ path Wine shows a Linux path as).

: "${WINEPREFIX:=${TMPDIR:-/tmp}/bgfetch-wineprefix}"
export WINEPREFIX
export WINEDEBUG=-all
# No Mono or Gecko installer dialogs: nothing here needs .NET or a browser.
export WINEDLLOVERRIDES="mscoree,mshtml=${WINEDLLOVERRIDES:+;$WINEDLLOVERRIDES}"
# Debian's `wine` wrapper asks for wine32 on every start; the 64-bit
# loader is all an amd64 exe needs.
WINE=/usr/lib/wine/wine64
[ -x "$WINE" ] || WINE="$(command -v wine64 || command -v wine || echo wine64)"
WINESERVER=/usr/lib/wine/wineserver64
[ -x "$WINESERVER" ] || WINESERVER="$(command -v wineserver || echo wineserver)"
export WINE WINESERVER

_wine_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# wine_prefix_init: create the prefix (once) and install the ProcessPrng shim.
wine_prefix_init() {
	if [ ! -f "$WINEPREFIX/system.reg" ]; then
		mkdir -p "$WINEPREFIX"
		"$WINE" wineboot --init >/dev/null 2>&1 || true
		"$WINESERVER" -w
	fi
	local sys32="$WINEPREFIX/drive_c/windows/system32"
	if [ ! -d "$sys32" ]; then
		echo "wine: $WINEPREFIX has no system32 after wineboot" >&2
		return 1
	fi
	local dll="$WINEPREFIX/bcryptprimitives.dll"
	if [ ! -f "$dll" ] || [ "$_wine_dir/processprng.c" -nt "$dll" ]; then
		x86_64-w64-mingw32-gcc -shared -O2 -s -Wl,--kill-at \
			-o "$dll" "$_wine_dir/processprng.c" -ladvapi32
	fi
	cp "$dll" "$sys32/bcryptprimitives.dll"
}

# wine_stop: end every process of the prefix and wait for the server.
wine_stop() {
	"$WINESERVER" -k >/dev/null 2>&1 || true
	"$WINESERVER" -w >/dev/null 2>&1 || true
}

# winpath /abs/linux/path -> Z:\abs\linux\path (Wine's Z: drive is /).
winpath() {
	local p="$1"
	printf 'Z:%s\n' "${p//\//\\}"
}
