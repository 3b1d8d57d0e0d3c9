# packaging/lib.sh — shared by the packaging scripts (sourced, not run).
#
# Provides: ROOT, APP_ID, APP_VERSION, FYNE (path of the pinned fyne tool),
# ensure_fyne, stage_source DIR.

FYNE_TOOLS_VERSION="${FYNE_TOOLS_VERSION:-v1.7.4}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="/usr/local/go/bin:${PATH}"
: "${GO:=go}"

# FyneApp.toml is the single source of the app's ID and version.
toml_value() { # toml_value KEY -> the quoted value of KEY in FyneApp.toml
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\(.*\)\"[[:space:]]*\$/\1/p" "$ROOT/FyneApp.toml" | head -n1
}
APP_ID="$(toml_value ID)"
APP_VERSION="$(toml_value Version)"
if [ -z "$APP_ID" ] || [ -z "$APP_VERSION" ]; then
	echo "packaging: cannot read ID/Version from $ROOT/FyneApp.toml" >&2
	exit 1
fi

# The fyne tool, pinned by version and installed into bin/tools (gitignored).
# It is installed with `go install …@version`, in its own module context, and
# deliberately not as a go.mod `tool` directive: fyne.io/tools v1.7.4 requires
# fyne.io/fyne/v2 v2.8.1, and a tool directive would drag the app itself from
# v2.7.1 onto v2.8.1. The tool only drives `go build`; the app is built with
# the fyne version in go.mod.
FYNE="$ROOT/bin/tools/fyne-$FYNE_TOOLS_VERSION"
# The Makefile's BUILD_TAGS (its comment says why), for a script run by hand.
BUILD_TAGS="${BUILD_TAGS-no_emoji}"
ensure_fyne() {
	# The file name carries the version and the install is an atomic rename,
	# so an executable at $FYNE is the pinned tool.
	if [ -x "$FYNE" ]; then
		return 0
	fi
	local gobin
	gobin="$(mktemp -d)"
	echo "packaging: installing fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
	# -mod has no meaning for `go install pkg@version`; keep GOFLAGS clean.
	GOFLAGS= GOBIN="$gobin" CGO_ENABLED=1 "$GO" install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
	mkdir -p "$(dirname "$FYNE")"
	mv "$gobin/fyne" "$FYNE"
	rmdir "$gobin"
}

# stage_source DIR: copy the source tree into DIR. `fyne package` writes into
# the directory it builds (a generated fyne_metadata_init.go in package main,
# fyne.syso on Windows, the binary, tmp-pkg/) and bumps Details.Build in
# FyneApp.toml after every run; building in a copy keeps the working tree
# untouched and lets other builds run in it meanwhile. With --release fyne
# builds with -trimpath, so the copy's path does not reach the binary or
# defeat the build cache.
stage_source() {
	local dest="$1"
	mkdir -p "$dest"
	tar -C "$ROOT" \
		--exclude=./.git --exclude=./bin --exclude=./dist --exclude=./e2e/out \
		--exclude='*.test' --exclude=./tmp-pkg --exclude=./fyne_metadata_init.go \
		--exclude=./fyne.syso --exclude=./bgfetch --exclude=./bgfetch.exe \
		--exclude=./bgfetch.tar.xz \
		-cf - . | tar -C "$dest" -xf -
}

human_size() { # human_size FILE -> "12345678 bytes (11.8 MiB)"
	local n
	n="$(stat -c %s "$1")"
	awk -v n="$n" 'BEGIN { printf "%d bytes (%.1f MiB)", n, n / 1048576 }'
}
