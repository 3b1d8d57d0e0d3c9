#!/bin/sh
# install.sh — install or uninstall bgfetch from an unpacked package.
# Shipped at the top of the Linux package (next to bin/ and share/) and used
# by the repository's `make install` / `make uninstall`.
#
#   ./install.sh [install]     per-user: ~/.local/bin/bgfetch, the menu entry
#                              and the icons under ~/.local/share (no root)
#   ./install.sh uninstall     remove them again (and the "Start at login"
#                              entry if it runs this binary); data is kept
#
# Environment: PREFIX (default $HOME/.local; e.g. PREFIX=/usr/local as root
# for a system-wide install), DESTDIR (staging root, for packagers).
set -eu

APP_ID=io.github.bgfetch.bgfetch
SIZES="16 24 32 48 64 128 256 512"
: "${HOME:?HOME is not set}"
PREFIX="${PREFIX:-$HOME/.local}"
DESTDIR="${DESTDIR:-}"
BINDIR="$PREFIX/bin"
DATADIR="$PREFIX/share"
here="$(cd "$(dirname "$0")" && pwd)"

# exec_arg PATH: PATH as one argument of a desktop entry's Exec key (Desktop
# Entry Specification: quote when reserved characters appear, escape " ` $ \
# inside the quotes, then double backslashes for the string escape; % -> %%).
exec_arg() {
	case "$1" in
	*[!A-Za-z0-9/._+,=:@-]*)
		printf '"%s"' "$(printf '%s' "$1" | sed -e 's/[\\"`$]/\\&/g' -e 's/\\/\\\\/g' -e 's/%/%%/g')"
		;;
	*) printf '%s' "$1" ;;
	esac
}

do_install() {
	for f in bin/bgfetch "share/applications/$APP_ID.desktop"; do
		if [ ! -f "$here/$f" ]; then
			printf '%s\n' "install.sh: $here/$f missing: run this from an unpacked bgfetch package" >&2
			exit 1
		fi
	done
	install -Dm0755 "$here/bin/bgfetch" "$DESTDIR$BINDIR/bgfetch"

	desktop="$DESTDIR$DATADIR/applications/$APP_ID.desktop"
	mkdir -p "$(dirname "$desktop")"
	# The menu runs the installed binary by absolute path: ~/.local/bin is
	# often not on the desktop session's PATH.
	exe="$(exec_arg "$BINDIR/bgfetch")"
	tryexec="$(printf '%s' "$BINDIR/bgfetch" | sed 's/\\/\\\\/g')"
	# (ENVIRON, not awk -v, which would undo the backslash escapes.)
	BGFETCH_EXEC="$exe" BGFETCH_TRYEXEC="$tryexec" awk '
		/^Exec=bgfetch/     { print "Exec=" ENVIRON["BGFETCH_EXEC"] substr($0, 13); next }
		/^TryExec=bgfetch$/ { print "TryExec=" ENVIRON["BGFETCH_TRYEXEC"]; next }
		{ print }' "$here/share/applications/$APP_ID.desktop" >"$desktop.tmp"
	chmod 0644 "$desktop.tmp"
	mv -f "$desktop.tmp" "$desktop"

	for s in $SIZES; do
		install -Dm0644 "$here/share/icons/hicolor/${s}x${s}/apps/$APP_ID.png" \
			"$DESTDIR$DATADIR/icons/hicolor/${s}x${s}/apps/$APP_ID.png"
	done
	install -Dm0644 "$here/share/icons/hicolor/scalable/apps/$APP_ID.svg" \
		"$DESTDIR$DATADIR/icons/hicolor/scalable/apps/$APP_ID.svg"
	# Icon themes notice new icons by the directory's mtime.
	touch "$DESTDIR$DATADIR/icons/hicolor" 2>/dev/null || true

	printf '%s\n' "installed bgfetch into $DESTDIR$PREFIX:"
	printf '%s\n' "  $DESTDIR$BINDIR/bgfetch"
	printf '%s\n' "  $desktop"
	echo "  $DESTDIR$DATADIR/icons/hicolor/{$(echo "$SIZES" | sed 's/ /,/g')}/apps/$APP_ID.png, scalable/apps/$APP_ID.svg"
	case ":$PATH:" in
	*":$BINDIR:"*) ;;
	*) echo "note: $BINDIR is not on PATH; the menu entry works regardless" ;;
	esac
}

do_uninstall() {
	rm -f "$DESTDIR$BINDIR/bgfetch" "$DESTDIR$DATADIR/applications/$APP_ID.desktop"
	for s in $SIZES; do
		rm -f "$DESTDIR$DATADIR/icons/hicolor/${s}x${s}/apps/$APP_ID.png"
	done
	rm -f "$DESTDIR$DATADIR/icons/hicolor/scalable/apps/$APP_ID.svg"
	# The "Start at login" entry (written by the tray, see
	# packaging/autostart) would otherwise point at a removed binary.
	cfg="${XDG_CONFIG_HOME:-}"
	case "$cfg" in /*) ;; *) cfg="$HOME/.config" ;; esac
	auto="$cfg/autostart/bgfetch.desktop"
	if [ -z "$DESTDIR" ] && [ -f "$auto" ] &&
		grep -qxF "Exec=$(exec_arg "$BINDIR/bgfetch") --hidden" "$auto"; then
		rm -f "$auto"
		printf '%s\n' "removed the start-at-login entry $auto"
	fi
	printf '%s\n' "uninstalled bgfetch from $DESTDIR$PREFIX (data kept: ${XDG_DATA_HOME:-~/.local/share}/bgfetch)"
}

case "${1:-install}" in
install) do_install ;;
uninstall) do_uninstall ;;
*)
	printf '%s\n' "usage: $0 [install|uninstall]   (env: PREFIX, DESTDIR)" >&2
	exit 2
	;;
esac
