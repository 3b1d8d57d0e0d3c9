# bench-transfer.sh — issue 13's scenarios (transfer control), sourced by
# scripts/bench.sh after nginx and the helpers are up. It uses bench.sh's
# BB BG WORK WWW BASE RES OUT QUICK, bench_daemon/stop_daemon, rotate,
# free_port, fmt3, and lib.sh's median and ratio.
#
#   capped    CAPPED_MIB from nginx with limit_rate 4m per connection:
#             curl, aria2c -x16 -s16, bgfetch (automatic) and bgfetch
#             --connections 16
#   longlink  LONG_MIB through bench/linkemu (one TCP stream at 80 ms RTT:
#             64 KiB in flight per 80 ms) in front of nginx: curl, wget,
#             aria2c -x16 -s16, bgfetch (automatic and --connections 16)
#   rate      2 MiB/s for RATE_SECS: per fetch (--limit 2M) and global
#             (bgfetch settings max-bytes-per-second=2M), judged on the
#             daemon's own byte counts polled every 100 ms
#   deadhost  1,000 fetches of a dead host (refused, and blackholed:
#             connects time out), the daemon's CPU and RSS after DEAD_SETTLE s
#
# The bgfetch variants whose flags the CLI does not have yet are skipped
# and reported as such (api.md's "Transfer control" CLI).

if [ "$QUICK" = 1 ]; then
	CAPPED_MIB=32 LONG_MIB=8 SLOW_RUNS=${BENCH_RUNS:-3} RATE_SECS=10 DEAD_SETTLE=20 DEAD_MEASURE=5
else
	CAPPED_MIB=256 LONG_MIB=64 SLOW_RUNS=${BENCH_RUNS:-3} RATE_SECS=20 DEAD_SETTLE=60 DEAD_MEASURE=10
fi
RATE_BPS=$((2 << 20))
DEAD_N=1000
LINK_RTT=80ms
LINK_WINDOW=65536

# bg_flag NAME: whether `bgfetch fetch` has --NAME. (The help is read
# whole first: `grep -q` on a pipe would cut it short, and with pipefail
# bgfetch's SIGPIPE would make the answer no.)
bg_flag() {
	local h
	h=$("$BG" fetch --help 2>&1 || true)
	grep -qE -- "^[[:space:]]+-$1( |$)" <<<"$h"
}
# bg_command NAME: whether bgfetch has the command NAME.
bg_command() {
	local h
	h=$("$BG" --help 2>&1 || true)
	grep -qE "^[[:space:]]+$1( |$)" <<<"$h"
}

transfer_files() {
	log "creating a $CAPPED_MIB MiB and a $LONG_MIB MiB file (transfer control)"
	head -c "$((CAPPED_MIB << 20))" /dev/urandom >"$WWW/capped.bin"
	head -c "$((LONG_MIB << 20))" /dev/urandom >"$WWW/long.bin"
	chmod a+r "$WWW/capped.bin" "$WWW/long.bin"
}

# peer_runs KEY NAME URL DATA_DIR TOOL…: SLOW_RUNS rounds of every tool
# downloading URL (the file WWW/NAME), order rotating; each copy compared
# byte for byte; wall and CPU seconds in RES/KEY.TOOL.{wall,cpu}.
peer_runs() {
	local key=$1 name=$2 url=$3 dir=$4 r tool line
	shift 4
	local aria=(aria2c -q -d "$OUT" -o "$name" --file-allocation=none --allow-overwrite=true
		--auto-file-renaming=false --summary-interval=0)
	for ((r = 0; r < SLOW_RUNS; r++)); do
		for tool in $(rotate "$r" "$@"); do
			rm -rf "$OUT" && mkdir -p "$OUT"
			case $tool in
			curl) line=$("$BB" run -- curl -sS -o "$OUT/$name" "$url") ;;
			wget) line=$("$BB" run -- wget -q -O "$OUT/$name" "$url") ;;
			# -k1M: pieces of 1 MiB, else aria2c splits files under
			# 320 MiB into fewer than 16 parts (its default is 20 MiB).
			aria2c-16) line=$("$BB" run -- "${aria[@]}" -x16 -s16 -k1M "$url") ;;
			bgfetch) line=$("$BB" run -cpu-pid "$DPID" -- "$BG" --data-dir "$dir" fetch --id "$key$r-auto" \
				--dest "$OUT" --wait "$url" 2>/dev/null) ;;
			bgfetch-16) line=$("$BB" run -cpu-pid "$DPID" -- "$BG" --data-dir "$dir" fetch --id "$key$r-16" \
				--connections 16 --dest "$OUT" --wait "$url" 2>/dev/null) ;;
			bgfetch-16-mc16) # as many connections as aria2c -x16: maxConnections 16 for this run
				local mc
				mc=$("$BG" --data-dir "$dir" settings | awk '$1 == "max-connections" { print $2 }')
				"$BG" --data-dir "$dir" settings max-connections=16 >/dev/null
				line=$("$BB" run -cpu-pid "$DPID" -- "$BG" --data-dir "$dir" fetch --id "$key$r-16mc" \
					--connections 16 --dest "$OUT" --wait "$url" 2>/dev/null)
				"$BG" --data-dir "$dir" settings "max-connections=$mc" >/dev/null
				;;
			esac
			cmp -s "$WWW/$name" "$OUT/$name" || { echo "bench: $tool's copy of $name differs from the served file" >&2; exit 1; }
			read -r wall cpu <<<"$line"
			echo "$wall" >>"$RES/$key.$tool.wall"
			echo "$cpu" >>"$RES/$key.$tool.cpu"
			log "  run $r $tool: wall ${wall}s cpu ${cpu}s"
		done
	done
	rm -rf "$OUT"
}

bgfetch_tools() {
	local t=bgfetch
	bg_flag connections && t+=" bgfetch-16"
	bg_flag connections && bg_command settings && t+=" bgfetch-16-mc16"
	echo "$t"
}

# variant_label TOOL: how a bgfetch variant is run, for the tables.
variant_label() {
	case $1 in
	bgfetch) echo "automatic" ;;
	bgfetch-16) echo "--connections 16" ;;
	bgfetch-16-mc16) echo "--connections 16, maxConnections 16" ;;
	esac
}

bench_capped() {
	log "capped: $CAPPED_MIB MiB, nginx limit_rate 4m per connection, $SLOW_RUNS runs"
	local dir=$WORK/data-capped
	bench_daemon "$dir"
	# shellcheck disable=SC2046
	peer_runs cap capped.bin "$BASE/capped/capped.bin" "$dir" curl aria2c-16 $(bgfetch_tools)
	stop_daemon
}

bench_longlink() {
	log "longlink: $LONG_MIB MiB through linkemu (rtt $LINK_RTT, window $LINK_WINDOW B), $SLOW_RUNS runs"
	"$WORK/linkemu" -listen 127.0.0.1:0 -upstream "127.0.0.1:$PORT" -rtt "$LINK_RTT" -window "$LINK_WINDOW" \
		>"$WORK/linkemu.out" 2>"$WORK/linkemu.err" &
	LINKEMU_PID=$!
	local addr=
	for _ in $(seq 1 100); do
		addr=$(awk '/^listening on/ { print $3 }' "$WORK/linkemu.out")
		[ -n "$addr" ] && break
		sleep 0.05
	done
	[ -n "$addr" ] || { echo "bench: linkemu did not start: $(cat "$WORK/linkemu.err")" >&2; exit 1; }
	local dir=$WORK/data-long
	bench_daemon "$dir"
	# shellcheck disable=SC2046
	peer_runs long long.bin "http://$addr/long.bin" "$dir" curl wget aria2c-16 $(bgfetch_tools)
	stop_daemon
	kill -TERM "$LINKEMU_PID" 2>/dev/null
	wait "$LINKEMU_PID" 2>/dev/null || true
	LINKEMU_PID=
	log "  linkemu: $(cat "$WORK/linkemu.err")"
}

# rate_run KEY FLAGS…: one fetch of the big file (nginx, no cap) with
# FLAGS, its rate watched for RATE_SECS; then aborted.
rate_run() {
	local key=$1 dir=$WORK/data-rate uid
	shift
	uid=$("$BG" --data-dir "$dir" --json fetch --id "rate-$key" "$@" "$BASE/big.bin" | awk -F'"' '$2 == "uid" { print $4; exit }')
	if ! "$BB" ratewatch -data-dir "$dir" -uid "$uid" -for "${RATE_SECS}s" >"$RES/rate.$key" 2>"$RES/rate.$key.err"; then
		log "  rate $key: $(cat "$RES/rate.$key.err")"
		echo "error $(tr '\n' ' ' <"$RES/rate.$key.err")" >"$RES/rate.$key"
	fi
	"$BG" --data-dir "$dir" abort "rate-$key" >/dev/null 2>&1 || true
	log "  rate $key: $(paste -sd' ' "$RES/rate.$key")"
}

bench_rate() {
	log "rate: 2 MiB/s for $RATE_SECS s, per fetch and global"
	local dir=$WORK/data-rate
	bench_daemon "$dir"
	if bg_flag limit; then rate_run fetch --limit 2M; else log "  rate fetch: bgfetch fetch has no --limit"; fi
	if bg_command settings; then
		if "$BG" --data-dir "$dir" settings max-bytes-per-second=2M >/dev/null; then
			rate_run global
			"$BG" --data-dir "$dir" settings max-bytes-per-second=0 >/dev/null || true
		else
			echo "error bgfetch settings max-bytes-per-second=2M failed" >"$RES/rate.global"
		fi
	else
		log "  rate global: bgfetch has no settings command"
	fi
	stop_daemon
}

# cpu_share PID SECONDS: CPU use over SECONDS in percent of a core, two decimals.
cpu_share() {
	local c0 c1
	c0=$("$BB" cpu -pid "$1")
	sleep "$2"
	c1=$("$BB" cpu -pid "$1")
	awk -v a="$c0" -v b="$c1" -v s="$2" 'BEGIN { printf "%.2f", (b - a) * 100 / s }'
}

bench_deadhost() {
	local kind addr dir rss
	for kind in refused blackholed; do
		if [ "$kind" = refused ]; then
			addr=127.0.0.1:$(free_port)
		else
			"$BB" blackhole >"$WORK/blackhole.out" 2>&1 &
			BLACKHOLE_PID=$!
			for _ in $(seq 1 100); do
				addr=$(awk '/^listening on/ { print $3 }' "$WORK/blackhole.out")
				[ -n "$addr" ] && break
				sleep 0.05
			done
			[ -n "$addr" ] || { echo "bench: blackhole: $(cat "$WORK/blackhole.out")" >&2; exit 1; }
		fi
		log "deadhost $kind: $DEAD_N fetches of http://$addr/, measured after $DEAD_SETTLE s"
		dir=$WORK/data-dead-$kind
		bench_daemon "$dir"
		"$BB" register -data-dir "$dir" -n "$DEAD_N" -prefix d -conc 8 "http://$addr/never.bin" >/dev/null
		sleep "$DEAD_SETTLE"
		cpu_share "$DPID" "$DEAD_MEASURE" >"$RES/dead.$kind.cpu"
		read -r rss _ <<<"$("$BB" rss -pid "$DPID")"
		kib2mib "$rss" >"$RES/dead.$kind.rss"
		log "  cpu $(cat "$RES/dead.$kind.cpu") % of a core, RSS $(cat "$RES/dead.$kind.rss") MiB"
		stop_daemon
		if [ -n "${BLACKHOLE_PID:-}" ]; then
			kill -TERM "$BLACKHOLE_PID" 2>/dev/null
			wait "$BLACKHOLE_PID" 2>/dev/null || true
			BLACKHOLE_PID=
		fi
	done
}

# ---------------------------------------------------------------- report
tm() { if [ -s "$RES/$1" ]; then median <"$RES/$1"; else echo nan; fi; }
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { if (v == "nan" || v == "n/a" || v == "") print "n/a"; else print (v + 0 >= lo + 0 && v + 0 <= hi + 0) ? "met" : "missed" }'; }
atmost() { within "$1" -1e18 "$2"; }
rate_field() { [ -f "$RES/rate.$1" ] && awk -v k="$2" '$1 == k { print $2 }' "$RES/rate.$1"; }
# rate_verdict KEY: the average within ±5 % and no second above +20 %.
rate_cell() {
	local key=$1
	if [ ! -f "$RES/rate.$key" ]; then
		echo "not measured: the CLI has no way to set it yet | n/a"
		return
	fi
	if grep -q '^error' "$RES/rate.$key"; then
		echo "failed: $(sed 's/^error //' "$RES/rate.$key" | tr -d '|') | missed"
		return
	fi
	local avg mx
	avg=$(rate_field "$key" avg_Bps)
	mx=$(rate_field "$key" max_sec_Bps)
	local dev maxdev
	dev=$(awk -v a="$avg" -v t="$RATE_BPS" 'BEGIN { printf "%+.1f", (a - t) * 100 / t }')
	maxdev=$(awk -v a="$mx" -v t="$RATE_BPS" 'BEGIN { printf "%+.1f", (a - t) * 100 / t }')
	local ok
	ok=$(awk -v d="$dev" -v m="$maxdev" 'BEGIN { print (d >= -5 && d <= 5 && m <= 20) ? "met" : "missed" }')
	echo "average $dev %, highest second $maxdev % | $ok"
}

# peer_ratio KEY TOOL PEER: bgfetch TOOL's median wall over PEER's.
peer_ratio() {
	local a b
	a=$(tm "$1.$2.wall")
	b=$(tm "$1.$3.wall")
	if [ "$a" = nan ] || [ "$b" = nan ]; then echo n/a; else ratio "$a" "$b"; fi
}

# transfer_targets: the rows of the Targets table.
transfer_targets() {
	local t
	for t in bgfetch bgfetch-16 bgfetch-16-mc16; do
		local label
		label=$(variant_label "$t")
		local r
		r=$(peer_ratio cap "$t" aria2c-16)
		printf '| 7 | %s MiB capped at 4 MiB/s per connection: bgfetch (%s) ≤ 1.0× aria2c -x16 | %s× (%s s vs %s s) | %s |\n' \
			"$CAPPED_MIB" "$label" "$r" "$(fmt3 "$(tm cap.$t.wall)")" "$(fmt3 "$(tm cap.aria2c-16.wall)")" "$(atmost "$r" 1.0)"
	done
	for t in bgfetch bgfetch-16 bgfetch-16-mc16; do
		local label
		label=$(variant_label "$t")
		local ra rc
		ra=$(peer_ratio long "$t" aria2c-16)
		rc=$(peer_ratio long "$t" curl)
		printf '| 8a | %s MiB over an 80 ms link: bgfetch (%s) ≤ 1.0× aria2c -x16 | %s× | %s |\n' "$LONG_MIB" "$label" "$ra" "$(atmost "$ra" 1.0)"
		printf '| 8b | the same, ≤ 0.2× curl | %s× (%s s vs %s s) | %s |\n' "$rc" "$(fmt3 "$(tm long.$t.wall)")" "$(fmt3 "$(tm long.curl.wall)")" "$(atmost "$rc" 0.2)"
	done
	printf '| 9a | 2 MiB/s per fetch (--limit 2M) for %s s: average ±5 %%, no second above +20 %% | %s |\n' "$RATE_SECS" "$(rate_cell fetch)"
	printf '| 9b | 2 MiB/s global (max-bytes-per-second) for %s s: the same | %s |\n' "$RATE_SECS" "$(rate_cell global)"
	for k in refused blackholed; do
		local cpu rss
		cpu=$(tm dead.$k.cpu)
		rss=$(tm dead.$k.rss)
		printf '| 10 | %s fetches of a dead host (%s), after %s s: ≤ 1 %% of a core, RSS ≤ 60 MiB | %s %%, %s MiB | %s |\n' \
			"$DEAD_N" "$k" "$DEAD_SETTLE" "$cpu" "$rss" \
			"$(awk -v c="$(atmost "$cpu" 1)" -v r="$(atmost "$rss" 60)" 'BEGIN { print (c == "met" && r == "met") ? "met" : (c == "n/a" ? "n/a" : "missed") }')"
	done
}

# peer_table KEY TOOL…: a results table of one scenario.
peer_table() {
	local key=$1 t
	shift
	echo "| client | wall s | CPU s | bgfetch (automatic)/client wall |"
	echo "| --- | --- | --- | --- |"
	for t in "$@"; do
		[ -s "$RES/$key.$t.wall" ] || { printf '| %s | not run (flag missing) | | |\n' "$t"; continue; }
		printf '| %s | %s | %s | %s |\n' "$t" "$(fmt3 "$(tm "$key.$t.wall")")" "$(fmt3 "$(tm "$key.$t.cpu")")" "$(peer_ratio "$key" bgfetch "$t")"
	done
}

# transfer_sections: the report's sections 7 to 10.
transfer_sections() {
	cat <<EOF
## 7. A server that caps each connection ($CAPPED_MIB MiB, nginx \`limit_rate 4m\`)

$(peer_table cap curl aria2c-16 bgfetch bgfetch-16 bgfetch-16-mc16)

Medians of $SLOW_RUNS runs, peers rotating. \`aria2c-16\` is \`aria2c -x16 -s16 -k1M\` (-k1M: 1 MiB
pieces; its default of 20 MiB would split this file into fewer parts); \`bgfetch\` is
\`bgfetch fetch --dest OUT --wait URL\` (the automatic default), \`bgfetch-16\` adds
\`--connections 16\` (segments count against the daemon's maxConnections, 16 by
default), \`bgfetch-16-mc16\` sets \`bgfetch settings max-connections=16\` again for that
run (the default since c1c464d; the row stays to show the setting works). Every copy is compared byte for byte with the served file.

## 8. A long link ($LONG_MIB MiB through bench/linkemu)

$(peer_table long curl wget aria2c-16 bgfetch bgfetch-16 bgfetch-16-mc16)

bench/linkemu is a loopback TCP proxy in front of nginx that holds each connection to what one
TCP stream gets at $LINK_RTT RTT: the handshake costs one RTT, every byte is delayed by half an RTT
each way, and at most $LINK_WINDOW bytes travel from server to client per RTT (about 0.8 MB/s a
connection). Medians of $SLOW_RUNS runs.

## 9. Speed limit (2 MiB/s for $RATE_SECS s)

| limit | average B/s | highest second B/s | lowest second B/s | each second |
| --- | --- | --- | --- | --- |
$(for k in fetch global; do
	if [ -f "$RES/rate.$k" ] && ! grep -q '^error' "$RES/rate.$k"; then
		printf '| %s | %s | %s | %s | %s |\n' "$k" "$(rate_field $k avg_Bps)" "$(rate_field $k max_sec_Bps)" "$(rate_field $k min_sec_Bps)" "$(rate_field $k seconds)"
	else
		printf '| %s | %s | | | |\n' "$k" "$( [ -f "$RES/rate.$k" ] && sed 's/^error //' "$RES/rate.$k" | tr -d '|' || echo "not measured: no CLI for it yet")"
	fi
done)

One fetch of the uncapped big file; \`fetch\` is \`bgfetch fetch --limit 2M\`, \`global\` is
\`bgfetch settings max-bytes-per-second=2M\`. \`bench/bgbench ratewatch\` polls
\`GET /v1/registrations/{uid}\` every 100 ms from 1 s after the first byte; a second's rate is
the bytes between the samples nearest its ends over their real distance in time (the daemon
publishes byte counts every 100 ms, so a single second can be off by up to ~10 % either way;
the average over $RATE_SECS s is good to ~0.5 %).

## 10. Fetches of a dead host

| host | CPU % of a core | RSS MiB |
| --- | --- | --- |
| refused (nothing listens on the port) | $(tm dead.refused.cpu) | $(tm dead.refused.rss) |
| blackholed (connects time out) | $(tm dead.blackholed.cpu) | $(tm dead.blackholed.rss) |

$DEAD_N fetches registered at once (\`bench/bgbench register\`), CPU measured over $DEAD_MEASURE s
starting $DEAD_SETTLE s later, RSS then. "Blackholed" is a loopback port whose accept queue is
full (\`bench/bgbench blackhole\`): the kernel drops the SYNs, so connects time out as with an
unreachable host, without leaving loopback.


EOF
}
