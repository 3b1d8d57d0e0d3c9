#!/usr/bin/env bash
# packaging/test-package.sh [linux|deb|windows|all] — the packaging checks
# (`make package-test`; CI runs the linux and windows parts as two steps).
#
# linux:   build the Linux package (make package), unpack it into a temporary
#          prefix, run the unpacked binary's --version (must print the
#          FyneApp.toml version), a headless smoke (serve --headless, fetch one
#          file from a local HTTP server with `fetch --wait`, compare the bytes,
#          stop with SIGTERM), desktop-file-validate the entry; `make install`
#          into a temporary HOME and check the files; time the installed
#          binary's start to a ready API; switch "Start at login" on and off
#          through packaging/autostart; `make uninstall` and check it all went.
# deb:     build the Debian package (make deb), check its control, files,
#          desktop entry, AppStream metainfo (appstreamcli validate) and man
#          page, `apt-get install` it, run the installed binary's --version and
#          the headless smoke, `apt-get remove` it and check its files went.
# windows: cross-build bgfetch.exe and bgfetch-cli.exe (make windows) and
#          check they are PE32+ x86-64 executables, the first for the GUI
#          subsystem with icon and version info embedded, the second for the
#          console. (Running them is packaging/windows/test-wine.sh's job.)
#
# Prints the package, binary and exe sizes and the cold start times.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

what="${1:-all}"
case "$what" in linux | deb | windows | all) ;; *)
	echo "usage: $0 [linux|deb|windows|all]" >&2
	exit 2
	;;
esac
MAKE="${MAKE:-make}"
DIST="${DIST:-$ROOT/dist}"
mkdir -p "$DIST"
DIST="$(cd "$DIST" && pwd)"
arch="$("$GO" env GOARCH)"

work="$(mktemp -d "${TMPDIR:-/tmp}/bgfetch-pkgtest.XXXXXX")"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

summary=()
step() { printf '\n== package-test: %s ==\n' "$*"; }
ok() { echo "ok: $*"; }
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
note() {
	summary+=("$*")
	echo "$*"
}

# wait_for_file FILE SECONDS [PID]: until FILE exists; fail early if PID dies.
wait_for_file() {
	local file="$1" deadline=$((SECONDS + $2)) pid="${3:-}"
	until [ -e "$file" ]; do
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.05
	done
}

# stop_pid PID SECONDS: SIGTERM, then wait; sets STOP_RC to the exit
# status, or "timeout" (then the process was killed). Must run in this shell,
# not in $(…): only the parent can wait for a child.
STOP_RC=
stop_pid() {
	local pid="$1" deadline=$((SECONDS + $2))
	STOP_RC=0
	kill -TERM "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			STOP_RC=timeout
			return
		fi
		sleep 0.05
	done
	wait "$pid" || STOP_RC=$?
}

# A clean environment for the binaries under test: their own HOME, no XDG
# overrides leaking in from the caller. ISOLATED is a command prefix (env
# execs the program, so `"${ISOLATED[@]}" HOME=… prog &` leaves $! = prog's
# pid; a shell function run in the background would not).
# Go keeps its caches where they are (they default to paths under HOME).
ISOLATED=(env -u XDG_CONFIG_HOME -u XDG_DATA_HOME -u XDG_STATE_HOME -u XDG_CACHE_HOME
	-u XDG_RUNTIME_DIR -u BGFETCH_DATA_DIR -u PREFIX -u DESTDIR
	GOPATH="$("$GO" env GOPATH)" GOCACHE="$("$GO" env GOCACHE)" GOMODCACHE="$("$GO" env GOMODCACHE)"
	GOENV="$("$GO" env GOENV)")
isolated() { # isolated HOME CMD...  (foreground only)
	local home="$1"
	shift
	"${ISOLATED[@]}" HOME="$home" "$@"
}

"$GO" build -o "$work/pkgcheck" "$ROOT/packaging/internal/pkgcheck"

# smoke_headless BIN DIR: the headless smoke of a packaged binary: serve
# --headless, fetch one file from a local HTTP server with `fetch --wait`,
# compare the bytes, stop with SIGTERM (status 0). DIR is its scratch space.
smoke_headless() {
	local bin="$1" w="$2"
	step "headless smoke of $bin: serve, fetch one file from a local server, SIGTERM"
	local www="$w/www" data="$w/data" dest="$w/dest" url pid_srv pid_serve
	mkdir -p "$www" "$w/home"
	head -c $((3 * 1024 * 1024 + 12345)) /dev/urandom >"$www/payload.bin"
	"$work/pkgcheck" serve -dir "$www" -url-file "$w/url" 2>"$w/httpd.log" &
	pid_srv=$!
	pids+=("$pid_srv")
	wait_for_file "$w/url" 30 "$pid_srv" || fail "file server did not start: $(cat "$w/httpd.log")"
	url="$(cat "$w/url")"

	"${ISOLATED[@]}" HOME="$w/home" "$bin" serve --headless --data-dir "$data" 2>"$w/serve.log" &
	pid_serve=$!
	pids+=("$pid_serve")
	wait_for_file "$data/endpoint" 60 "$pid_serve" ||
		fail "serve --headless not ready (no $data/endpoint): $(cat "$w/serve.log")"
	ok "ready: $(cat "$data/endpoint")"

	if ! isolated "$w/home" timeout 120 "$bin" fetch --data-dir "$data" --wait \
		--id package-smoke --title "package smoke" --dest "$dest" "$url/payload.bin" >"$w/fetch.log" 2>&1; then
		cat "$w/fetch.log" "$w/serve.log" >&2
		fail "bgfetch fetch --wait failed"
	fi
	tail -n 3 "$w/fetch.log"
	local got
	got="$(find "$dest" -type f 2>/dev/null)"
	[ "$(echo "$got" | grep -c .)" = 1 ] || fail "expected one file in $dest, found: $got"
	cmp -s "$got" "$www/payload.bin" || fail "fetched bytes differ from the served file"
	ok "fetched $(stat -c %s "$got") bytes into $got, identical"

	stop_pid "$pid_serve" 30
	[ "$STOP_RC" = 0 ] || fail "serve --headless exit status after SIGTERM: $STOP_RC: $(tail -n 20 "$w/serve.log")"
	ok "serve --headless stopped on SIGTERM with status 0"
	if [ -e "$data/endpoint" ]; then
		echo "note: $data/endpoint left behind after a clean stop"
	fi
	stop_pid "$pid_srv" 10
}

test_linux() {
	local pkg="$DIST/bgfetch-$APP_VERSION-linux-$arch.tar.xz"

	step "build the Linux package (make package)"
	"$MAKE" -C "$ROOT" --no-print-directory package DIST="$DIST"
	[ -f "$pkg" ] || fail "make package did not produce $pkg"
	ok "$pkg"

	step "unpack into a temporary prefix"
	local top
	top="$(tar -tJf "$pkg" | cut -d/ -f1 | sort -u)"
	[ "$top" = "bgfetch-$APP_VERSION-linux-$arch" ] || fail "package top-level entries: $top"
	local prefix="$work/prefix"
	mkdir -p "$prefix"
	tar -xJf "$pkg" -C "$prefix" --strip-components=1
	local f
	for f in bin/bgfetch "share/applications/$APP_ID.desktop" "share/pixmaps/$APP_ID.png" \
		"share/icons/hicolor/scalable/apps/$APP_ID.svg" Makefile install.sh README \
		$(for s in 16 24 32 48 64 128 256 512; do echo "share/icons/hicolor/${s}x$s/apps/$APP_ID.png"; done); do
		[ -f "$prefix/$f" ] || fail "package lacks $f"
	done
	[ -x "$prefix/bin/bgfetch" ] || fail "bin/bgfetch is not executable"
	ok "$(cd "$prefix" && find . -type f | wc -l) files; $(file -b "$prefix/bin/bgfetch" | cut -d, -f1-2)"
	note "package size:  $(human_size "$pkg")  ($(basename "$pkg"))"
	note "binary size:   $(human_size "$prefix/bin/bgfetch")  (linux/$arch, release, stripped)"

	step "unpacked binary --version"
	local out
	out="$(isolated "$work/home-version" "$prefix/bin/bgfetch" --version)"
	echo "$out"
	[ "$(echo "$out" | awk 'NR==1 {print $NF}')" = "$APP_VERSION" ] ||
		fail "--version printed '$out', FyneApp.toml says $APP_VERSION"
	ok "--version prints the FyneApp.toml version $APP_VERSION"

	step "desktop-file-validate the packaged entry"
	local desktop="$prefix/share/applications/$APP_ID.desktop"
	desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
	grep -qx "Icon=$APP_ID" "$desktop" || fail "entry's Icon is not $APP_ID"
	grep -qx "Exec=bgfetch" "$desktop" || fail "entry's Exec is not bgfetch"
	ok "$desktop valid"

	smoke_headless "$prefix/bin/bgfetch" "$work/smoke-tar"

	step "make install into a temporary HOME"
	local home="$work/home" p="$work/home/.local"
	mkdir -p "$home"
	isolated "$home" "$MAKE" -C "$ROOT" --no-print-directory install DIST="$DIST"
	local inst_desktop="$p/share/applications/$APP_ID.desktop"
	for f in "$p/bin/bgfetch" "$inst_desktop" "$p/share/icons/hicolor/scalable/apps/$APP_ID.svg" \
		$(for s in 16 24 32 48 64 128 256 512; do echo "$p/share/icons/hicolor/${s}x$s/apps/$APP_ID.png"; done); do
		[ -f "$f" ] || fail "make install did not write $f"
	done
	[ -x "$p/bin/bgfetch" ] || fail "installed binary not executable"
	cmp -s "$p/bin/bgfetch" "$prefix/bin/bgfetch" || fail "installed binary differs from the package's"
	desktop-file-validate "$inst_desktop" || fail "desktop-file-validate $inst_desktop"
	grep -qx "Exec=$p/bin/bgfetch" "$inst_desktop" || fail "installed entry's Exec: $(grep ^Exec= "$inst_desktop")"
	grep -qx "TryExec=$p/bin/bgfetch" "$inst_desktop" || fail "installed entry's TryExec: $(grep ^TryExec= "$inst_desktop")"
	out="$(isolated "$home" "$p/bin/bgfetch" --version)"
	[ "$(echo "$out" | awk 'NR==1 {print $NF}')" = "$APP_VERSION" ] || fail "installed --version: $out"
	ok "binary, desktop entry (valid, Exec=$p/bin/bgfetch) and 9 icons installed; --version $APP_VERSION"

	step "cold start of the installed binary to a ready API (headless, median of 5)"
	local cs
	cs="$(isolated "$home" "$work/pkgcheck" coldstart -n 5 "$p/bin/bgfetch")" || fail "cold start: $cs"
	while IFS= read -r line; do note "$line"; done <<<"$cs"

	step "Start at login on and off (packaging/autostart)"
	local auto="$home/.config/autostart/bgfetch.desktop" sum1 sum2
	toggle() { (cd "$ROOT" && isolated "$home" "$GO" run ./packaging/cmd/bgfetch-autostart "$@"); }
	[ ! -e "$auto" ] || fail "$auto exists before enabling"
	toggle enable
	[ -f "$auto" ] || fail "enable did not write $auto"
	desktop-file-validate "$auto" || fail "desktop-file-validate $auto"
	grep -qx "Exec=$p/bin/bgfetch --hidden" "$auto" || fail "autostart Exec: $(grep ^Exec= "$auto")"
	[ "$(toggle status)" = enabled ] || fail "status after enable is not 'enabled'"
	sum1="$(sha256sum <"$auto")"
	toggle enable
	sum2="$(sha256sum <"$auto")"
	[ "$sum1" = "$sum2" ] || fail "enabling twice changed the entry"
	[ "$(ls -A "$(dirname "$auto")" | wc -l)" = 1 ] || fail "stray files in $(dirname "$auto"): $(ls -A "$(dirname "$auto")")"
	ok "enabled: $auto (valid, Exec=$p/bin/bgfetch --hidden), idempotent"
	toggle disable
	[ ! -e "$auto" ] || fail "disable left $auto"
	[ "$(toggle status 2>/dev/null || true)" = disabled ] || fail "status after disable is not 'disabled'"
	toggle disable || fail "disabling twice failed"
	ok "disabled: entry removed, idempotent"

	step "make uninstall"
	toggle enable # uninstall also removes an entry that runs the removed binary
	isolated "$home" "$MAKE" -C "$ROOT" --no-print-directory uninstall
	local left
	# (go run leaves its telemetry counters in HOME/.config/go: not ours.)
	left="$(find "$home" -path "$home/.config/go" -prune -o -type f -print)"
	[ -z "$left" ] || fail "files left after make uninstall: $left"
	ok "binary, entry, icons and the start-at-login entry removed"
}

# as_root CMD...: CMD as root (CI is root; elsewhere through sudo -n).
as_root() {
	if [ "$(id -u)" -eq 0 ]; then
		env DEBIAN_FRONTEND=noninteractive "$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n env DEBIAN_FRONTEND=noninteractive "$@"
	else
		fail "installing the .deb needs root (or sudo): $*"
	fi
}

test_deb() {
	local arch deb
	arch="$(dpkg --print-architecture)"
	deb="$DIST/bgfetch_${APP_VERSION}_$arch.deb"
	step "build the Debian package (make deb)"
	"$MAKE" -C "$ROOT" --no-print-directory deb DIST="$DIST"
	[ -f "$deb" ] || fail "make deb did not produce $deb"
	note "deb size:      $(human_size "$deb")  ($(basename "$deb"))"

	step "the package's control and files"
	dpkg-deb -I "$deb" control | sed 's/^/  /'
	[ "$(dpkg-deb -f "$deb" Package)" = bgfetch ] || fail "Package is not bgfetch"
	[ "$(dpkg-deb -f "$deb" Version)" = "$APP_VERSION" ] || fail "Version is not $APP_VERSION"
	dpkg-deb -f "$deb" Depends | grep -q libgl1 || fail "Depends lacks libgl1: $(dpkg-deb -f "$deb" Depends)"
	local x="$work/deb"
	mkdir -p "$x"
	dpkg-deb -x "$deb" "$x"
	local f
	for f in usr/bin/bgfetch "usr/share/applications/$APP_ID.desktop" "usr/share/metainfo/$APP_ID.metainfo.xml" \
		usr/share/man/man1/bgfetch.1.gz usr/share/doc/bgfetch/copyright usr/share/doc/bgfetch/changelog.gz \
		"usr/share/icons/hicolor/scalable/apps/$APP_ID.svg" \
		$(for s in 16 24 32 48 64 128 256 512; do echo "usr/share/icons/hicolor/${s}x$s/apps/$APP_ID.png"; done); do
		[ -f "$x/$f" ] || fail "the .deb lacks /$f"
	done
	[ -z "$(dpkg-deb -c "$deb" | awk '$2 != "root/root"')" ] || fail "files not owned by root in the .deb"
	desktop-file-validate "$x/usr/share/applications/$APP_ID.desktop" || fail "desktop entry"
	appstreamcli validate --no-net "$x/usr/share/metainfo/$APP_ID.metainfo.xml" || fail "appstreamcli validate"
	local warn
	warn="$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$x/usr/share/man/man1/bgfetch.1.gz" 2>&1 >/dev/null)"
	[ -z "$warn" ] || fail "man page warnings: $warn"
	LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$x/usr/share/man/man1/bgfetch.1.gz" | grep -q "bgfetch - finish downloads" ||
		fail "man page does not render its NAME"
	ok "$(dpkg-deb -c "$deb" | grep -c '^-') files; desktop entry, AppStream metainfo and man page valid"

	step "apt-get install ./$(basename "$deb")"
	if dpkg-query -W -f='${db:Status-Status}' bgfetch 2>/dev/null | grep -qx installed; then
		fail "bgfetch is installed already: the test would remove it"
	fi
	if ! as_root apt-get install -y -qq --no-install-recommends "$deb" </dev/null; then
		as_root apt-get update -qq
		as_root apt-get install -y -qq --no-install-recommends "$deb" </dev/null || fail "apt-get install $deb"
	fi
	[ "$(dpkg-query -W -f='${Version}' bgfetch)" = "$APP_VERSION" ] || fail "dpkg does not list bgfetch $APP_VERSION"
	local out
	out="$(isolated "$work/home-deb" /usr/bin/bgfetch --version)"
	[ "$(echo "$out" | awk 'NR==1 {print $NF}')" = "$APP_VERSION" ] || fail "installed --version: $out"
	[ "$(man -w bgfetch 2>/dev/null)" = /usr/share/man/man1/bgfetch.1.gz ] || fail "man -w bgfetch: $(man -w bgfetch 2>&1)"
	[ -f "/usr/share/applications/$APP_ID.desktop" ] || fail "no desktop entry installed"
	ok "installed: /usr/bin/bgfetch $APP_VERSION, man bgfetch, desktop entry, metainfo"
	smoke_headless /usr/bin/bgfetch "$work/smoke-deb"

	step "apt-get remove bgfetch"
	as_root apt-get remove -y -qq bgfetch </dev/null || fail "apt-get remove bgfetch"
	for f in /usr/bin/bgfetch "/usr/share/applications/$APP_ID.desktop" "/usr/share/metainfo/$APP_ID.metainfo.xml" \
		/usr/share/man/man1/bgfetch.1.gz; do
		[ ! -e "$f" ] || fail "$f left after apt-get remove"
	done
	if dpkg-query -W -f='${db:Status-Status}' bgfetch 2>/dev/null | grep -qx installed; then
		fail "dpkg still lists bgfetch as installed"
	fi
	ok "removed: binary, entry, metainfo and man page gone"
}

test_windows() {
	step "Windows cross-build (make windows; ~7 min cold)"
	local exe="$DIST/bgfetch.exe" start=$SECONDS
	rm -f "$exe" "$DIST/bgfetch-cli.exe"
	"$MAKE" -C "$ROOT" --no-print-directory windows DIST="$DIST"
	[ -f "$exe" ] || fail "make windows did not produce $exe"
	local desc
	desc="$(file -b "$exe")"
	echo "file: $desc"
	case "$desc" in
	"PE32+ executable (GUI) x86-64"*) ;;
	*) fail "$exe is not a PE32+ x86-64 GUI executable: $desc" ;;
	esac
	"$work/pkgcheck" pe "$exe" || fail "PE check of $exe"
	ok "$exe"
	local cli="$DIST/bgfetch-cli.exe"
	[ -f "$cli" ] || fail "make windows did not produce $cli"
	desc="$(file -b "$cli")"
	echo "file: $desc"
	case "$desc" in
	"PE32+ executable (console) x86-64"*) ;;
	*) fail "$cli is not a PE32+ x86-64 console executable: $desc" ;;
	esac
	"$work/pkgcheck" pe -console "$cli" || fail "PE check of $cli"
	ok "$cli"
	note "exe size:      $(human_size "$exe")  (windows/amd64, built in $((SECONDS - start))s)"
	note "cli exe size:  $(human_size "$cli")"
}

case "$what" in
linux) test_linux ;;
deb) test_deb ;;
windows) test_windows ;;
all)
	test_linux
	test_deb
	test_windows
	;;
esac

printf '\n== package-test (%s): passed ==\n' "$what"
for line in "${summary[@]}"; do
	echo "  $line"
done
