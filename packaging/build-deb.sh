#!/usr/bin/env bash
# packaging/build-deb.sh [OUTDIR] — the Debian package:
# OUTDIR/bgfetch_<version>_<arch>.deb (OUTDIR defaults to dist/).
#
# It repacks the Linux package (make package: fyne's release binary, the
# validated desktop entry, the hicolor icons) as a system install under
# /usr, with what Debian and software centres look for:
#
#   /usr/bin/bgfetch
#   /usr/share/applications/io.github.bgfetch.bgfetch.desktop
#   /usr/share/icons/hicolor/{16x16…512x512,scalable}/apps/io.github.bgfetch.bgfetch.{png,svg}
#   /usr/share/metainfo/io.github.bgfetch.bgfetch.metainfo.xml   (appstreamcli validate)
#   /usr/share/man/man1/bgfetch.1.gz
#   /usr/share/doc/bgfetch/{README.md,API.md,changelog.gz,copyright}
#
# Depends is what dpkg-shlibdeps finds the binary linked against (OpenGL,
# X11). No maintainer scripts: dpkg's triggers of hicolor-icon-theme,
# desktop-file-utils and man-db refresh their caches.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out="${1:-$ROOT/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
arch="$(dpkg --print-architecture)"
goarch="$("$GO" env GOARCH)"
tarball="$out/bgfetch-$APP_VERSION-linux-$goarch.tar.xz"
deb="$out/bgfetch_${APP_VERSION}_$arch.deb"

for tool in dpkg-deb dpkg-shlibdeps appstreamcli desktop-file-validate gzip; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-deb: $tool not found (scripts/install-deps.sh packaging)" >&2
		exit 1
	fi
done
if [ ! -f "$tarball" ]; then
	echo "build-deb: $tarball missing (make package)" >&2
	exit 1
fi

stage="$(mktemp -d "${TMPDIR:-/tmp}/bgfetch-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
tar -C "$stage" -xJf "$tarball"
src="$stage/bgfetch-$APP_VERSION-linux-$goarch"
p="$stage/pkg"
mtime="${SOURCE_DATE_EPOCH:-$(stat -c %Y "$ROOT/FyneApp.toml")}"

install -Dm0755 "$src/bin/bgfetch" "$p/usr/bin/bgfetch"
install -Dm0644 "$src/share/applications/$APP_ID.desktop" "$p/usr/share/applications/$APP_ID.desktop"
(cd "$src/share" && find icons -type f) | while read -r f; do
	install -Dm0644 "$src/share/$f" "$p/usr/share/$f"
done
install -Dm0644 "$ROOT/packaging/linux/$APP_ID.metainfo.xml" "$p/usr/share/metainfo/$APP_ID.metainfo.xml"
install -d "$p/usr/share/man/man1"
gzip -9n <"$ROOT/packaging/linux/bgfetch.1" >"$p/usr/share/man/man1/bgfetch.1.gz"
doc="$p/usr/share/doc/bgfetch"
install -Dm0644 "$ROOT/README.md" "$doc/README.md"
install -Dm0644 "$ROOT/docs/API.md" "$doc/API.md"
printf 'bgfetch (%s) stable; urgency=medium\n\n  * Release %s.\n\n -- The bgfetch developers <bgfetch@users.noreply.github.com>  %s\n' \
	"$APP_VERSION" "$APP_VERSION" "$(date -R -u -d "@$mtime")" | gzip -9n >"$doc/changelog.gz"
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: bgfetch
Source: https://github.com/bgfetch/bgfetch

Files: *
Copyright: The bgfetch developers
License: see https://github.com/bgfetch/bgfetch
COPYRIGHT
chmod 0644 "$doc/copyright"

desktop-file-validate "$p/usr/share/applications/$APP_ID.desktop"
appstreamcli validate --no-net "$p/usr/share/metainfo/$APP_ID.metainfo.xml"

# Depends: the shared libraries the binary needs, as Debian packages.
mkdir -p "$stage/shlibs/debian"
printf 'Source: bgfetch\n\nPackage: bgfetch\nArchitecture: any\n' >"$stage/shlibs/debian/control"
depends="$(cd "$stage/shlibs" && dpkg-shlibdeps -O "$p/usr/bin/bgfetch" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')"
if [ -z "$depends" ]; then
	echo "build-deb: dpkg-shlibdeps found no dependencies" >&2
	exit 1
fi

installed="$(du -sk --apparent-size "$p" | cut -f1)"
mkdir -p "$p/DEBIAN"
cat >"$p/DEBIAN/control" <<CONTROL
Package: bgfetch
Version: $APP_VERSION
Architecture: $arch
Maintainer: The bgfetch developers <bgfetch@users.noreply.github.com>
Installed-Size: $installed
Depends: $depends
Recommends: dbus-user-session | dbus-x11
Suggests: xdg-utils
Section: net
Priority: optional
Homepage: https://github.com/bgfetch/bgfetch
Description: finish downloads for desktop apps in the background
 bgfetch brings the web's Background Fetch API to desktop applications: an
 app hands it a named group of downloads with a title and icons, and bgfetch
 downloads them in the background with visible progress, keeps going when
 the app is closed, waits while offline, survives crashes and reboots, and
 tells the app when the group succeeded, failed, was cancelled or clicked.
 .
 The desktop app has a window with every fetch and its files, the history
 with search, settings, a tray icon and notifications, in English, German
 and Spanish; apps use its local HTTP API or the bgfetch command.
CONTROL
find "$p" -exec touch -h -d "@$mtime" {} +
dpkg-deb --root-owner-group -Zxz --build "$p" "$deb.tmp" >/dev/null
mv -f "$deb.tmp" "$deb"
echo "build-deb: $deb, $(human_size "$deb")"
