#!/usr/bin/env bash
# packaging/build-linux.sh [OUTDIR] — build the Linux package with the pinned
# fyne tool: OUTDIR/bgfetch-<version>-linux-<arch>.tar.xz (OUTDIR defaults
# to dist/; <version> comes from FyneApp.toml).
#
# `fyne package --target linux --release --tags no_emoji` builds the release binary (tags
# no_emoji + release + migrated_fynedo, -trimpath, -s -w, the FyneApp.toml metadata
# compiled in) and lays out a tarball with the binary, a generated desktop
# entry and one icon. This script keeps fyne's binary and icon and re-packs
# them as a prefix tree, with the hand-written, validated desktop entry
# (packaging/linux/bgfetch.desktop) and the full hicolor icon set:
#
#   bgfetch-<version>-linux-amd64/
#     Makefile, install.sh, README        make install (per-user, ~/.local)
#     bin/bgfetch
#     share/applications/io.github.bgfetch.bgfetch.desktop
#     share/icons/hicolor/{16x16…512x512}/apps/io.github.bgfetch.bgfetch.png
#     share/icons/hicolor/scalable/apps/io.github.bgfetch.bgfetch.svg
#     share/pixmaps/io.github.bgfetch.bgfetch.png
#
# so `tar -xJf … --strip-components=1 -C PREFIX` also works as an install.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

out="${1:-$ROOT/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
arch="$("$GO" env GOARCH)"
name="bgfetch-$APP_VERSION-linux-$arch"
sizes=(16 24 32 48 64 128 256 512)

for tool in tar xz desktop-file-validate; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-linux: $tool not found (scripts/install-deps.sh packaging)" >&2
		exit 1
	fi
done
ensure_fyne

stage="$(mktemp -d "${TMPDIR:-/tmp}/bgfetch-linux.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
stage_source "$stage/src"

echo "build-linux: fyne package --target linux --release (bgfetch $APP_VERSION, $arch)"
start=$(date +%s)
(cd "$stage/src" && CGO_ENABLED=1 "$FYNE" package --target linux --release --tags "$BUILD_TAGS")
fyne_tar="$stage/src/bgfetch.tar.xz"
if [ ! -f "$fyne_tar" ]; then
	echo "build-linux: fyne package did not produce $fyne_tar" >&2
	exit 1
fi
mkdir "$stage/fyne"
tar -C "$stage/fyne" -xJf "$fyne_tar"
bin="$(find "$stage/fyne" -type f -path '*/bin/bgfetch' | head -n1)"
pixmap="$(find "$stage/fyne" -type f -path "*/pixmaps/$APP_ID.png" | head -n1)"
if [ -z "$bin" ] || [ -z "$pixmap" ]; then
	echo "build-linux: unexpected fyne package layout:" >&2
	(cd "$stage/fyne" && find . -type f) >&2
	exit 1
fi

p="$stage/pkg/$name"
install -Dm0755 "$bin" "$p/bin/bgfetch"
install -Dm0644 "$ROOT/packaging/linux/bgfetch.desktop" "$p/share/applications/$APP_ID.desktop"
install -Dm0644 "$pixmap" "$p/share/pixmaps/$APP_ID.png"
for s in "${sizes[@]}"; do
	install -Dm0644 "$ROOT/icons/png/bgfetch-$s.png" "$p/share/icons/hicolor/${s}x${s}/apps/$APP_ID.png"
done
install -Dm0644 "$ROOT/icons/src/bgfetch.svg" "$p/share/icons/hicolor/scalable/apps/$APP_ID.svg"
install -m0644 "$ROOT/packaging/linux/Makefile" "$p/Makefile"
install -m0755 "$ROOT/packaging/linux/install.sh" "$p/install.sh"
cat >"$p/README" <<README
bgfetch $APP_VERSION for Linux ($arch)

Install for your user (no root): make install   (or ./install.sh)
  ~/.local/bin/bgfetch
  ~/.local/share/applications/$APP_ID.desktop
  ~/.local/share/icons/hicolor/*/apps/$APP_ID.{png,svg}
Uninstall: make uninstall   (keeps your data in ~/.local/share/bgfetch)
System-wide: sudo make install PREFIX=/usr/local

Needs an X11 or Wayland desktop with OpenGL for the window and tray;
\`bgfetch serve --headless\` runs without one.
README

desktop-file-validate "$p/share/applications/$APP_ID.desktop"

tarball="$out/$name.tar.xz"
# Deterministic archive: sorted names, root-owned, one timestamp.
mtime="${SOURCE_DATE_EPOCH:-$(stat -c %Y "$ROOT/FyneApp.toml")}"
tar -C "$stage/pkg" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$mtime" -cf - "$name" | xz -T0 -9 >"$tarball.tmp"
mv -f "$tarball.tmp" "$tarball"
echo "build-linux: $tarball, $(human_size "$tarball") (binary $(human_size "$p/bin/bgfetch")), built in $(( $(date +%s) - start ))s"
