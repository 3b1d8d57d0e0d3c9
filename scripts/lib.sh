# lib.sh — the set-up scripts/bench.sh and scripts/faults.sh share (like
# packaging/lib.sh for the packaging scripts). Source it after setting
# LOG_TAG (the prefix of log lines); it cds to the repository root.
#
# It defines ROOT, BG (the bgfetch binary), DPID (the running daemon) and:
#   log MSG…                    a timestamped line on stderr
#   need TOOL… -- HINT          fail unless every TOOL is on PATH
#   build_tools WORK HELPER…    bin/bgfetch, and each ./bench/HELPER as WORK/HELPER
#   start_daemon DIR LOG [serve flags…]   a headless daemon on DIR (socket
#                               DIR/api.sock), run through DAEMON_WRAP (e.g.
#                               "ip netns exec NS"); waits for its endpoint
#   kill_daemon [SIGNAL]        stop it (default KILL) and wait
#   median                      the median of the numbers on stdin
#   ratio A B                   A/B with two decimals

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH=/usr/local/go/bin:$PATH
export CGO_ENABLED=1 GOFLAGS="${GOFLAGS:--mod=readonly -buildvcs=false -tags=no_emoji}"
BG=$ROOT/bin/bgfetch
DPID=
DAEMON_WRAP=()

log() { printf '[%s %s] %s\n' "${LOG_TAG:-script}" "$(date +%T)" "$*" >&2; }

need() {
	local t hint=""
	for t in "$@"; do [ "$t" = -- ] && break; done
	hint=${*: -1}
	for t in "$@"; do
		[ "$t" = -- ] && break
		command -v "$t" >/dev/null || { echo "${LOG_TAG:-script}: $t not found ($hint)" >&2; exit 1; }
	done
}

build_tools() {
	local work=$1 h
	shift
	log "building bin/bgfetch and $*"
	go build -o bin/bgfetch .
	for h in "$@"; do go build -o "$work/$h" "./bench/$h"; done
}

start_daemon() {
	local dir=$1 logf=$2
	shift 2
	mkdir -p "$dir"
	rm -f "$dir/endpoint" # a killed daemon's: wait for the new one's
	"${DAEMON_WRAP[@]}" "$BG" serve --headless --data-dir "$dir" --listen "unix:$dir/api.sock" "$@" 2>>"$logf" &
	DPID=$!
	for _ in $(seq 1 1000); do
		[ -f "$dir/endpoint" ] && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.01
	done
	echo "${LOG_TAG:-script}: the daemon did not start:" >&2
	tail -20 "$logf" >&2
	return 1
}

kill_daemon() {
	[ -n "$DPID" ] || return 0
	kill "-${1:-KILL}" "$DPID" 2>/dev/null || true
	wait "$DPID" 2>/dev/null || true
	DPID=
}

median() { sort -g | awk '{v[NR]=$1} END {if (NR==0) {print "nan"} else if (NR%2) {print v[(NR+1)/2]} else {printf "%.4f\n", (v[NR/2]+v[NR/2+1])/2}}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
