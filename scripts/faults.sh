#!/usr/bin/env bash
# faults.sh — `make faults`: real network and disk faults against a headless
# bgfetch. Two network namespaces joined by a veth pair (198.18.0.1 the file
# server, 198.18.0.2 bgfetch; RFC 2544 benchmarking addresses, no route
# anywhere else), created and removed by this script. The file server is
# bench/faultserver; the daemon listens on a unix socket, which the CLI and
# bench/bgbench reach from outside the namespace.
#
# Each scenario checks the sha256 of every file, that no fetch is lost or
# failed (unless the scenario expects a failure), and counts the bytes the
# server sent more than once. One line per scenario; exit 1 on any failure.
#
# Environment:
#   FAULTS_SHORT=1   the short form CI runs (smaller files, fewer faults)
#   FAULTS_VERBOSE=1 the daemon logs debug details (kept with FAULTS_KEEP=1)
#   FAULTS_ONLY=a,b  run only these scenarios: link-flap sigkill
#                    sigkill-after-201 etag-change wrong-206 close-mid-body
#                    disk-full dest-full partial-truncate partial-extend
#                    seg-sigkill seg-etag-change seg-norange seg-link-flap
#
# The seg-* scenarios fetch with "connections": 4 (several segments per
# file, api.md "Transfer control"). When the CLI has --connections (the
# engine does segments), each must have seen at least 2 parallel responses
# of a file; before that they run as single streams and say so.
#   FAULTS_KEEP=1    keep the work directory (logs) on failure
#
# Needs root (namespaces, tmpfs mounts), iproute2, curl and Go.
set -euo pipefail
LOG_TAG=faults
source "$(dirname "$0")/lib.sh"

SHORT=${FAULTS_SHORT:-0}
ONLY=${FAULTS_ONLY:-}
if [ "$(id -u)" -ne 0 ]; then
	echo "faults: needs root (network namespaces, tmpfs mounts)" >&2
	exit 1
fi
need ip curl go sha256sum mount -- "scripts/install-deps.sh bench"

TAG=bgf$$
NS_S=$TAG-srv
NS_C=$TAG-cli
VETH_S=${TAG}s
VETH_C=${TAG}c
SRV_IP=198.18.0.1
CLI_IP=198.18.0.2
SRV=http://$SRV_IP:8080

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bgfetch-faults.XXXXXX")
FSPID= # the file server
MOUNTS=()
FAILED=0

cleanup() {
	local rc=$?
	set +e
	[ -n "$DPID" ] && { kill -KILL "$DPID" 2>/dev/null; wait "$DPID" 2>/dev/null; }
	[ -n "$FSPID" ] && { kill -KILL "$FSPID" 2>/dev/null; wait "$FSPID" 2>/dev/null; }
	for m in "${MOUNTS[@]}"; do umount -l "$m" 2>/dev/null; done
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_S" 2>/dev/null
	ip link del "$VETH_S" 2>/dev/null
	if [ "${FAULTS_KEEP:-0}" = 1 ] && [ "$rc" -ne 0 ]; then
		echo "faults: work directory kept: $WORK" >&2
	else
		rm -rf "$WORK"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- build
build_tools "$WORK" faultserver bgbench
BB=$WORK/bgbench

# ---------------------------------------------------------------- network
log "namespaces $NS_S ($SRV_IP) and $NS_C ($CLI_IP)"
ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$VETH_S" type veth peer name "$VETH_C"
ip link set "$VETH_S" netns "$NS_S"
ip link set "$VETH_C" netns "$NS_C"
ip -n "$NS_S" addr add "$SRV_IP/24" dev "$VETH_S"
ip -n "$NS_C" addr add "$CLI_IP/24" dev "$VETH_C"
for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
ip -n "$NS_S" link set "$VETH_S" up
ip -n "$NS_C" link set "$VETH_C" up
link() { ip -n "$NS_C" link set "$VETH_C" "$1"; }

# ---------------------------------------------------------------- server
WWW=$WORK/www
mkdir -p "$WWW"
ip netns exec "$NS_S" "$WORK/faultserver" -listen "$SRV_IP:8080" -root "$WWW" >"$WORK/faultserver.log" 2>&1 &
FSPID=$!
ctl() { ip netns exec "$NS_S" curl -sS --max-time 10 -X POST "$SRV/_ctl/$1"; }
served() { ip netns exec "$NS_S" curl -sS --max-time 10 "$SRV/_ctl/bytes"; }
# resumed: how many Range requests the server answered since the reset.
resumed() { ip netns exec "$NS_S" curl -sS --max-time 10 "$SRV/_ctl/stats" | awk '$1 == "ranges" { print $2 }'; }
for _ in $(seq 1 100); do
	ip netns exec "$NS_S" curl -s -o /dev/null "$SRV/_ctl/bytes" && break
	sleep 0.05
done
ip netns exec "$NS_C" curl -sf -o /dev/null "$SRV/_ctl/bytes" || { echo "faults: the client namespace cannot reach the server" >&2; exit 1; }

# ---------------------------------------------------------------- daemon
D=$WORK/data
DAEMON_WRAP=(ip netns exec "$NS_C")
faults_daemon() { start_daemon "${1:-$D}" "$WORK/daemon.log" ${FAULTS_VERBOSE:+--verbose}; }

# ---------------------------------------------------------------- helpers
# mkfiles NAME COUNT MIB: COUNT random files NAME-i.bin of MIB MiB each.
mkfiles() {
	local i
	for ((i = 0; i < $2; i++)); do head -c "$(($3 << 20))" /dev/urandom >"$WWW/$1-$i.bin"; done
}
urls() {
	local i
	for ((i = 0; i < $2; i++)); do printf '%s/%s-%d.bin ' "$SRV" "$1" "$i"; done
}
# register ID DEST URL…: prints the uid of a new fetch.
# The scenarios written for one stream per file ask for one connection:
# their 16 MiB files would be split automatically (4 MiB segments), and at
# a per-connection rate a file then finishes before the fault arrives
# (etag-change once compared the old body with the changed file). The
# seg-* scenarios (seg_register) ask for SEG_CONNS.
register() {
	local id=$1 dest=$2 out
	shift 2
	if ! out=$("$BB" register -data-dir "$D" -n 1 -prefix "$id" -dest "$dest" -connections 1 "$@" 2>&1); then
		printf '%s: FAILED: registering: %s\n' "${SCENARIO:-?}" "$out" >&2
		return 1
	fi
	echo "${out##* }"
}
# check_files NAME COUNT DEST: every DEST/NAME-i.bin equals the served file.
check_files() {
	local i bad=0
	for ((i = 0; i < $2; i++)); do
		local want got
		want=$(sha256sum <"$WWW/$1-$i.bin" | cut -d' ' -f1)
		if [ ! -f "$3/$1-$i.bin" ]; then
			echo "missing $1-$i.bin"
			bad=1
			continue
		fi
		got=$(sha256sum <"$3/$1-$i.bin" | cut -d' ' -f1)
		[ "$want" = "$got" ] || {
			echo "corrupt $1-$i.bin ($(stat -c %s "$3/$1-$i.bin") bytes, $(cmp "$WWW/$1-$i.bin" "$3/$1-$i.bin" 2>&1 | head -1))"
			bad=1
		}
	done
	local extra
	extra=$(find "$3" -type f ! -name "$1-*.bin" | head -3)
	[ -z "$extra" ] || { echo "unexpected files: $extra"; bad=1; }
	return $bad
}
total_size() { du -cb "$WWW"/"$1"-*.bin | tail -1 | cut -f1; }
# wait_bytes UID N: until the registration has N bytes; after 60 s the
# scenario fails (and with it the suite).
wait_bytes() {
	local st n
	for _ in $(seq 1 600); do
		read -r st n _ < <("$BB" get -data-dir "$D" "$1")
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	printf '%s: FAILED: no progress: %s of %s bytes after 60 s (state %s)\n' "${SCENARIO:-?}" "${n:-?}" "$2" "${st:-?}"
	exit 1
}
# await UID…: waits until settled; output in $WORK/await.out.
await() { "$BB" await -data-dir "$D" -timeout "${AWAIT_TIMEOUT:-8m}" "$@" >"$WORK/await.out" 2>&1; }
selected() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
pass() {
	printf '%s: ok, %s bytes refetched%s\n' "$1" "$2" "${3:+ ($3)}"
}
broke() {
	printf '%s: FAILED: %s\n' "$1" "$2" | tee -a "$WORK/failed"
	FAILED=1
}
# survive_restart UID…: restarts the daemon (SIGTERM) and adds to $problem
# each registration the store no longer has.
survive_restart() {
	kill_daemon TERM
	faults_daemon
	local u
	for u in "$@"; do
		"$BB" get -data-dir "$D" "$u" >/dev/null 2>&1 || problem="${problem:+$problem; }registration $u lost after restart"
	done
}
# reset_world: a fresh daemon state and server counters for a scenario.
reset_world() {
	kill_daemon KILL
	rm -rf "$D" "$WORK/dest"
	mkdir -p "$WORK/dest"
	ctl "mode?rate=0&cut=0&wrong206=&stall=0&norange=0" >/dev/null
	ctl reset >/dev/null
	link up
	faults_daemon
}
# verdict NAME FILES COUNT: the common checks once the fetches settled.
finish() {
	local name=$1 files=$2 count=$3 note=${4:-}
	local msg
	if ! msg=$(check_files "$files" "$count" "$WORK/dest"); then
		broke "$name" "$(echo "$msg" | paste -sd';')"
		return
	fi
	local refetched=$(($(served) - $(total_size "$files")))
	pass "$name" "$refetched" "${note:+$note, }$(resumed) resumed requests"
}

if [ "$SHORT" = 1 ]; then
	FLAP_FILES=6 FLAP_MIB=8 FLAP_RATE=$((1 << 20)) FLAPS=10 FLAP_DOWN=0.5 FLAP_UP=0.8
	KILL_FILES=6 KILL_MIB=8 KILL_RATE=$((1 << 20)) KILLS=5 KILLS201=40
else
	FLAP_FILES=10 FLAP_MIB=50 FLAP_RATE=$((3 << 20)) FLAPS=10 FLAP_DOWN=1.5 FLAP_UP=1.5
	KILL_FILES=10 KILL_MIB=50 KILL_RATE=$((2 << 20)) KILLS=20 KILLS201=100
fi

if [ "$SHORT" = 1 ]; then
	SEG_FILES=2 SEG_MIB=16 SEG_RATE=$((1 << 20)) SEG_KILLS=5 SEG_FLAPS=6
else
	SEG_FILES=4 SEG_MIB=64 SEG_RATE=$((2 << 20)) SEG_KILLS=15 SEG_FLAPS=10
fi
SEG_CONNS=4
SEGMENTED=0
FETCH_HELP=$("$BG" fetch --help 2>&1 || true) # read whole: grep -q on a pipe + pipefail = SIGPIPE
grep -qE -- '^[[:space:]]+-connections( |$)' <<<"$FETCH_HELP" && SEGMENTED=1

log "creating files"
mkfiles flap "$FLAP_FILES" "$FLAP_MIB"
[ "$KILL_FILES/$KILL_MIB" = "$FLAP_FILES/$FLAP_MIB" ] || mkfiles kill "$KILL_FILES" "$KILL_MIB"
mkfiles etag 1 16
mkfiles w206 2 16
mkfiles cut 4 8
mkfiles disk 1 48
mkfiles small 3 1
mkfiles trunc 1 16
mkfiles extend 1 16
mkfiles seg "$SEG_FILES" "$SEG_MIB"
mkfiles segetag 1 16
mkfiles segnr 1 16

# ================================================ link down/up
if selected link-flap; then
	SCENARIO=link-flap
	log "link-flap: $FLAPS times during $FLAP_FILES x $FLAP_MIB MiB"
	reset_world
	ctl "mode?rate=$FLAP_RATE" >/dev/null
	uid=$(register lf "$WORK/dest" $(urls flap "$FLAP_FILES"))
	sleep 1
	# TCP rides out a short outage; every other time the server also loses
	# its connections during the outage (as when the client comes back with
	# another address), so the transfers must resume.
	for ((i = 0; i < FLAPS; i++)); do
		link down
		((i % 2 == 1)) && ctl drop >/dev/null
		sleep "$FLAP_DOWN"
		link up
		sleep "$FLAP_UP"
	done
	if await "$uid"; then
		finish link-flap flap "$FLAP_FILES" "$FLAPS flaps, $((FLAPS / 2)) losing the connections"
	else
		broke link-flap "$(paste -sd';' "$WORK/await.out")"
	fi
fi

# ================================================ SIGKILL at random moments
if selected sigkill; then
	SCENARIO=sigkill
	name=flap count=$FLAP_FILES
	if [ "$KILL_FILES/$KILL_MIB" != "$FLAP_FILES/$FLAP_MIB" ]; then name=kill count=$KILL_FILES; fi
	log "sigkill: $KILLS times during $count files"
	reset_world
	ctl "mode?rate=$KILL_RATE" >/dev/null
	uid=$(register sk "$WORK/dest" $(urls "$name" "$count"))
	killed=0
	for ((i = 0; i < KILLS; i++)); do
		sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.05 + (r % 2250) / 1000 }')"
		read -r st _ < <("$BB" get -data-dir "$D" "$uid")
		[ "$st" = settled ] && break
		kill_daemon KILL
		killed=$((killed + 1))
		faults_daemon
	done
	if await "$uid"; then
		finish sigkill "$name" "$count" "$killed kills"
	else
		broke sigkill "$(paste -sd';' "$WORK/await.out")"
	fi
fi

# ================================================ SIGKILL right after 201
# A registration the API answered 201 for must survive a crash at any moment
# after it: 40 (full: 100) small fetches, each followed by a SIGKILL 0–60 ms later (some
# land mid-transfer, some while the fetch settles), each time a restart.
if selected sigkill-after-201; then
	SCENARIO=sigkill-after-201
	N201=$KILLS201
	log "sigkill-after-201: $N201 times"
	reset_world
	uids=()
	for ((i = 0; i < N201; i++)); do
		uids+=("$(register k201-$i- "$WORK/dest/$i" $(urls small 3))")
		sleep "$(printf '0.%03d' $((RANDOM % 60)))"
		kill_daemon KILL
		faults_daemon
	done
	if AWAIT_TIMEOUT=60s await "${uids[@]}"; then
		problem=
		for ((i = 0; i < N201; i++)); do
			msg=$(check_files small 3 "$WORK/dest/$i") || problem="${problem:+$problem; }$i: $(echo "$msg" | paste -sd,)"
		done
		if [ -z "$problem" ]; then
			echo "sigkill-after-201: ok, $N201 of $N201 registrations survived a SIGKILL 0-60 ms after 201 and completed"
		else
			broke sigkill-after-201 "$problem"
		fi
	else
		stuck=$(grep -c unsettled "$WORK/await.out" || true)
		first=$(awk '$2 == "unsettled" { print $1; exit }' "$WORK/await.out")
		detail=
		[ -n "$first" ] && detail=" (e.g. $first: $("$BB" get -data-dir "$D" "$first" 2>&1); records: $("$BB" records -data-dir "$D" "$first" 2>&1 | awk '{ print $2 }' | paste -sd,))"
		broke sigkill-after-201 "$stuck of $N201 never settled after 60 s$detail; $(grep -v unsettled "$WORK/await.out" | paste -sd';')"
	fi
fi

# ================================================ ETag changes while disconnected
if selected etag-change; then
	SCENARIO=etag-change
	log "etag-change"
	reset_world
	ctl "mode?rate=$((2 << 20))" >/dev/null
	uid=$(register et "$WORK/dest" $(urls etag 1))
	wait_bytes "$uid" $((5 << 20))
	sleep 1.2 # a checkpoint with the old validator is stored
	link down
	ctl "change?path=/etag-0.bin" >/dev/null # new content, same size; connections dropped
	sleep 1
	link up
	if await "$uid"; then
		size=$(total_size etag)
		sent=$(served)
		if [ "$sent" -le "$size" ]; then
			broke etag-change "the server sent only $sent bytes of $size: the record did not restart"
		else
			finish etag-change etag 1 "restarted on the new ETag"
		fi
	else
		broke etag-change "$(paste -sd';' "$WORK/await.out")"
	fi
fi

# ================================================ a wrong 206
if selected wrong-206; then
	SCENARIO=wrong-206
	log "wrong-206"
	for mode in offset total; do
		reset_world
		ctl "mode?rate=$((2 << 20))" >/dev/null
		idx=0
		[ "$mode" = total ] && idx=1
		uid=$(register w2 "$WORK/dest" "$SRV/w206-$idx.bin")
		wait_bytes "$uid" $((3 << 20))
		sleep 1.2 # a checkpoint, so the next attempt asks for a Range
		ctl "mode?wrong206=$mode" >/dev/null
		ctl drop >/dev/null
		AWAIT_TIMEOUT=2m await "$uid" || true
		read -r _ result reason _ <"$WORK/await.out"
		if [ "$result/$reason" != "failure/fetch-error" ]; then
			broke "wrong-206-$mode" "expected failure/fetch-error, got $(paste -sd';' "$WORK/await.out")"
		elif [ -n "$(find "$WORK/dest" -type f 2>/dev/null)" ]; then
			broke "wrong-206-$mode" "a body was delivered: $(find "$WORK/dest" -type f)"
		else
			err=$("$BB" records -data-dir "$D" "$uid" 2>&1 | grep error: | head -1 || true)
			echo "wrong-206-$mode: ok, fetch-error, nothing delivered${err:+ ($err)}"
		fi
	done
fi

# ================================================ closes mid-body
if selected close-mid-body; then
	SCENARIO=close-mid-body
	log "close-mid-body"
	reset_world
	ctl "mode?cut=$((3 << 20))" >/dev/null # every response dies after 3 MiB
	uid=$(register cm "$WORK/dest" $(urls cut 4))
	if AWAIT_TIMEOUT=4m await "$uid"; then
		finish close-mid-body cut 4 "every response cut after 3 MiB"
	else
		broke close-mid-body "$(paste -sd';' "$WORK/await.out")"
	fi
fi

# ================================================ segmented transfers (issue 13)
source "$ROOT/scripts/faults-segmented.sh"

# ================================================ the disk fills up
if selected disk-full; then
	SCENARIO=disk-full
	log "disk-full"
	kill_daemon KILL
	TM=$WORK/tmpfs
	mkdir -p "$TM"
	mount -t tmpfs -o size=96m bgfetch-faults "$TM"
	MOUNTS+=("$TM")
	saveD=$D
	D=$TM/data
	mkdir -p "$D" "$WORK/dest"
	rm -rf "$WORK/dest"/*
	ctl "mode?rate=$((4 << 20))&cut=0&wrong206=" >/dev/null
	faults_daemon
	# A fetch that completes first: its record must survive the full disk.
	uid0=$(register df-before "$WORK/dest" $(urls small 1))
	await "$uid0" || broke disk-full "the first small fetch failed: $(paste -sd';' "$WORK/await.out")"
	# Fill the disk so only ~24 MiB are free, then fetch 48 MiB.
	avail=$(df -B1 --output=avail "$TM" | tail -1)
	head -c "$((avail - (24 << 20)))" /dev/zero >"$TM/filler" 2>/dev/null || true
	ctl reset >/dev/null
	uid1=$(register df-big "$WORK/dest" $(urls disk 1))
	AWAIT_TIMEOUT=2m await "$uid1" || true
	read -r _ result reason _ <"$WORK/await.out"
	problem=
	[ "$result/$reason" = "failure/quota-exceeded" ] || problem="expected failure/quota-exceeded, got $(paste -sd';' "$WORK/await.out")"
	# Free the space: other fetches finish; restart to prove the store intact.
	rm -f "$TM/filler"
	uid2=$(register df-after "$WORK/dest" "$SRV/small-1.bin" "$SRV/small-2.bin")
	if ! await "$uid2"; then
		problem="${problem:+$problem; }the fetch after freeing space: $(paste -sd';' "$WORK/await.out")"
	fi
	survive_restart "$uid0" "$uid1" "$uid2"
	if [ -z "$problem" ] && msg=$(check_files small 3 "$WORK/dest"); then
		echo "disk-full: ok, quota-exceeded, store intact, later fetch done"
	else
		broke disk-full "${problem:-$msg}"
	fi
	kill_daemon KILL
	D=$saveD
	umount "$TM" && unset 'MOUNTS[-1]'
fi

# ================================================ the destination fills up
if selected dest-full; then
	SCENARIO=dest-full
	log "dest-full"
	# Mounted before the daemon starts: `ip netns exec` gives it its own
	# mount namespace, which may not see later mounts.
	kill_daemon KILL
	DF=$WORK/destfs
	mkdir -p "$DF"
	mount -t tmpfs -o size=20m bgfetch-faults-dest "$DF"
	MOUNTS+=("$DF")
	reset_world
	ctl "mode?rate=$((8 << 20))" >/dev/null
	# 48 MiB downloads into the data dir, then cannot be moved into 20 MiB.
	uid1=$(register dd-big "$DF" $(urls disk 1))
	AWAIT_TIMEOUT=2m await "$uid1" || true
	read -r _ result reason _ <"$WORK/await.out"
	problem=
	[ "$result/$reason" = "failure/quota-exceeded" ] || problem="expected failure/quota-exceeded, got $(paste -sd';' "$WORK/await.out")"
	left=$(find "$DF" -type f | head -3)
	[ -z "$left" ] || problem="${problem:+$problem; }a partial copy was left in the destination: $left"
	uid2=$(register dd-after "$DF" $(urls small 3))
	await "$uid2" || problem="${problem:+$problem; }the next fetch into the same folder: $(paste -sd';' "$WORK/await.out")"
	survive_restart "$uid1" "$uid2"
	if [ -z "$problem" ] && msg=$(check_files small 3 "$DF"); then
		echo "dest-full: ok, quota-exceeded, nothing half-copied, store intact, next fetch done"
	else
		broke dest-full "${problem:-$msg}"
	fi
	kill_daemon KILL
	umount "$DF" && unset 'MOUNTS[-1]'
fi

# ================================================ partial changed behind bgfetch's back
for kind in truncate extend; do
	selected "partial-$kind" || continue
	SCENARIO=partial-$kind
	log "partial-$kind"
	reset_world
	ctl "mode?rate=$((2 << 20))" >/dev/null
	file=trunc
	[ "$kind" = extend ] && file=extend
	uid=$(register pt "$WORK/dest" "$SRV/$file-0.bin")
	wait_bytes "$uid" $((5 << 20))
	sleep 1.2
	kill_daemon TERM # a clean stop checkpoints the exact offset
	part=$D/bodies/$uid/0
	if [ ! -f "$part" ]; then
		broke "partial-$kind" "no partial at $part"
		continue
	fi
	sz=$(stat -c %s "$part")
	if [ "$kind" = truncate ]; then
		truncate -s "$((sz / 2))" "$part"
	else
		head -c $((1 << 20)) /dev/urandom >>"$part"
	fi
	faults_daemon
	if await "$uid"; then
		finish "partial-$kind" "$file" 1 "partial was $sz bytes"
	else
		broke "partial-$kind" "$(paste -sd';' "$WORK/await.out")"
	fi
done

kill_daemon TERM
if [ "$FAILED" -ne 0 ]; then
	log "daemon log: $(grep -c . "$WORK/daemon.log") lines; last:"
	tail -15 "$WORK/daemon.log" >&2
	# Last, so that a CI log showing only its tail still names what broke.
	log "failed scenarios:"
	cat "$WORK/failed" >&2
	exit 1
fi
log "all scenarios passed"
