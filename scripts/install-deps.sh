#!/usr/bin/env bash
# install-deps.sh — install the Debian packages bgfetch's build, tests,
# benchmarks and packaging need. Idempotent: only missing packages are
# installed, and `apt-get update` runs at most once, only when something is
# missing.
#
# Usage: scripts/install-deps.sh [group...]
#   groups: build desktop bench packaging python proxy wine icons all   (default: all)
#
# Runs as root (CI) or via sudo when available.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

declare -A GROUPS_PKGS=(
	# Fyne needs cgo + GL/X11 headers.
	[build]="gcc pkg-config libgl1-mesa-dev xorg-dev"
	# Desktop end-to-end tests: virtual X server, session bus, notification
	# daemon (+ dunstctl), notify-send, the StatusNotifierItem watcher
	# (binary: status-notifier-watcher), input automation, screenshots,
	# xdpyinfo, a window manager and wmctrl (closing a window politely).
	# xfce4-notifyd: a second notification server; thunar answers Show in
	# folder (org.freedesktop.FileManager1); xclip reads and sets the
	# clipboard (Copy address, paste).
	[desktop]="xvfb dbus dbus-x11 dunst libnotify-bin haskell-status-notifier-item-utils xdotool imagemagick x11-utils openbox wmctrl xfce4-notifyd thunar xclip"
	# Benchmarks and fault injection.
	[bench]="nginx aria2 curl wget iproute2 hyperfine"
	# Packaging (.desktop validation, tarballs, Windows cross-compiler).
	# dpkg-dev: dpkg-shlibdeps (the .deb's Depends); appstream: appstreamcli
	# validate; man-db: the man page check.
	[packaging]="desktop-file-utils xz-utils file gcc-mingw-w64-x86-64 dpkg-dev appstream man-db"
	# The Python client's tests (clients/python): python3 -m venv needs ensurepip.
	[python]="python3 python3-venv"
	# internal/proxy's tests read GNOME's proxy settings with the real
	# gsettings and the org.gnome.system.proxy schema.
	[proxy]="libglib2.0-bin gsettings-desktop-schemas"
	# The Windows test bed (packaging/windows/test-wine.sh): Wine 8 (64-bit
	# loader only; fonts-wine for its dialog fonts), msitools' wixl and
	# msibuild for the MSI, MinGW-w64 for the ProcessPrng shim, and the
	# desktop tests' X server, input automation and screenshots.
	[wine]="wine wine64 fonts-wine wixl msitools gcc-mingw-w64-x86-64 xvfb xdotool imagemagick"
	# Only needed to re-render icons/png from icons/src (PNGs are committed).
	[icons]="librsvg2-bin"
)
ALL_GROUPS=(build desktop bench packaging python proxy)

usage() {
	echo "usage: $0 [build|desktop|bench|packaging|python|proxy|wine|icons|all]..." >&2
	exit 2
}

groups=("$@")
if [ ${#groups[@]} -eq 0 ]; then
	groups=(all)
fi

wanted=()
for g in "${groups[@]}"; do
	case "$g" in
	all) for a in "${ALL_GROUPS[@]}"; do wanted+=(${GROUPS_PKGS[$a]}); done ;;
	-h | --help) usage ;;
	*)
		if [ -z "${GROUPS_PKGS[$g]+x}" ]; then
			echo "install-deps: unknown group '$g'" >&2
			usage
		fi
		wanted+=(${GROUPS_PKGS[$g]})
		;;
	esac
done

installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

missing=()
declare -A seen=()
for p in "${wanted[@]}"; do
	[ -n "${seen[$p]+x}" ] && continue
	seen[$p]=1
	installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all packages present (${groups[*]})"
	exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		# On a terminal sudo may ask for the password; elsewhere (CI) it
		# must not wait for one.
		if [ -t 0 ]; then
			SUDO=(sudo env DEBIAN_FRONTEND=noninteractive)
		else
			SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
		fi
	else
		echo "install-deps: need root to install: ${missing[*]}" >&2
		exit 1
	fi
fi

echo "install-deps: missing: ${missing[*]}"
"${SUDO[@]}" apt-get update -qq

# Verify every name resolves to an installable candidate before installing,
# so a typo or a package dropped from the release fails loudly by name.
bad=()
for p in "${missing[@]}"; do
	cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
	if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
		bad+=("$p")
	fi
done
if [ ${#bad[@]} -ne 0 ]; then
	echo "install-deps: no installation candidate for: ${bad[*]}" >&2
	exit 1
fi

"${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	"${missing[@]}" </dev/null

still=()
for p in "${missing[@]}"; do
	installed "$p" || still+=("$p")
done
if [ ${#still[@]} -ne 0 ]; then
	echo "install-deps: failed to install: ${still[*]}" >&2
	exit 1
fi
echo "install-deps: installed ${missing[*]}"
