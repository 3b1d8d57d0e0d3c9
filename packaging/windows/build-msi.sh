#!/usr/bin/env bash
# packaging/windows/build-msi.sh [DIST] — the per-user Windows installer,
# DIST/bgfetch-<version>-windows-amd64.msi, from DIST/bgfetch.exe and
# DIST/bgfetch-cli.exe (make windows), with Debian's wixl (package wixl,
# msitools 0.101) and msibuild (msitools): bgfetch.wxs, then the three
# tables wixl cannot write (msi/*.idt; see bgfetch.wxs).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

dist="${1:-$ROOT/dist}"
dist="$(cd "$dist" && pwd)"
for f in bgfetch.exe bgfetch-cli.exe; do
	[ -f "$dist/$f" ] || { echo "build-msi: $dist/$f missing (make windows)" >&2; exit 1; }
done
for t in wixl msibuild msiinfo; do
	command -v "$t" >/dev/null || { echo "build-msi: $t not found (scripts/install-deps.sh wine)" >&2; exit 1; }
done
here="$ROOT/packaging/windows"
msi="$dist/bgfetch-$APP_VERSION-windows-amd64.msi"

stage="$(mktemp -d "${TMPDIR:-/tmp}/bgfetch-msi.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
cp "$dist/bgfetch.exe" "$dist/bgfetch-cli.exe" "$stage/"
cp "$ROOT/icons/png/bgfetch-128.png" "$stage/bgfetch.png"
(cd "$ROOT" && "$GO" run ./packaging/internal/pkgcheck ico "$stage/bgfetch.ico" \
	icons/png/bgfetch-{16,24,32,48,64,128,256}.png)

# wixl resolves Source paths against the working directory (an absolute
# one trips it), hence SourceDir=. from the stage.
(cd "$stage" && wixl -a x64 -D Version="$APP_VERSION" -D SourceDir=. -o "$stage/out.msi" "$here/bgfetch.wxs" 2>&1 |
	grep -v -e '^$' -e 'GLib-GObject-WARNING' || true)
[ -f "$stage/out.msi" ] || { echo "build-msi: wixl failed" >&2; exit 1; }
for t in Condition MsiShortcutProperty CustomAction; do
	msibuild "$stage/out.msi" -i "$here/msi/$t.idt"
done
msibuild "$stage/out.msi" -q "INSERT INTO InstallExecuteSequence (Action, Condition, Sequence) VALUES ('RemoveRunValue', 'REMOVE=\"ALL\" AND NOT UPGRADINGPRODUCTCODE', 3490)"
# Fail here, not at install time, if a table did not take.
msiinfo export "$stage/out.msi" MsiShortcutProperty | grep -q 'System.AppUserModel.ID' || { echo "build-msi: no MsiShortcutProperty" >&2; exit 1; }
msiinfo export "$stage/out.msi" InstallExecuteSequence | grep -q RemoveRunValue || { echo "build-msi: no RemoveRunValue" >&2; exit 1; }
install -m 0644 "$stage/out.msi" "$msi"
echo "build-msi: $msi, $(human_size "$msi")"
