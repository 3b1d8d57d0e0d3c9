# faults-segmented.sh — the fault scenarios of segmented transfers (issue
# 13), sourced by scripts/faults.sh with its helpers, server and daemon in
# place. Each fetch asks for SEG_CONNS connections per file.

# seg_register ID DEST URL…: prints the uid of a new fetch of
# SEG_CONNS connections per file.
seg_register() {
	local id=$1 dest=$2 out
	shift 2
	if ! out=$("$BB" register -data-dir "$D" -n 1 -prefix "$id" -dest "$dest" -connections "$SEG_CONNS" "$@" 2>&1); then
		printf '%s: FAILED: registering: %s\n' "${SCENARIO:-?}" "$out" >&2
		return 1
	fi
	echo "${out##* }"
}
stat_of() { ip netns exec "$NS_S" curl -sS --max-time 10 "$SRV/_ctl/stats" | awk -v k="$1" '$1 == k { print $2 }'; }

# seg_finish NAME FILES COUNT NOTE [BOUND]: the common checks, plus that
# segments were used (when the engine has them) and, with BOUND, that no
# more than BOUND bytes were sent twice.
seg_finish() {
	local name=$1 files=$2 count=$3 note=$4 bound=${5:-} msg par refetched
	if ! msg=$(check_files "$files" "$count" "$WORK/dest"); then
		broke "$name" "$(echo "$msg" | paste -sd';')"
		return
	fi
	par=$(stat_of maxparallel)
	refetched=$(($(served) - $(total_size "$files")))
	if [ "$SEGMENTED" = 1 ] && [ "${par:-0}" -lt 2 ]; then
		broke "$name" "at most ${par:-0} response of a file at once: the fetch was not segmented"
		return
	fi
	if [ -n "$bound" ] && [ "$refetched" -gt "$bound" ]; then
		broke "$name" "$refetched bytes sent twice, more than the bound of $bound ($note)"
		return
	fi
	local seg="at most $par parallel responses of a file"
	[ "$SEGMENTED" = 1 ] || seg="single streams: this bgfetch has no --connections yet"
	pass "$name" "$refetched" "$note, ${bound:+bound $bound, }$seg, $(resumed) resumed requests"
}

# ================================================ SIGKILL during segmented transfers
if selected seg-sigkill; then
	SCENARIO=seg-sigkill
	log "seg-sigkill: $SEG_KILLS kills during $SEG_FILES x $SEG_MIB MiB, $SEG_CONNS connections each"
	reset_world
	ctl "mode?rate=$SEG_RATE" >/dev/null
	uid=$(seg_register ssk "$WORK/dest" $(urls seg "$SEG_FILES"))
	killed=0
	for ((i = 0; i < SEG_KILLS; i++)); do
		sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.5 + (r % 1500) / 1000 }')"
		read -r st _ < <("$BB" get -data-dir "$D" "$uid")
		[ "$st" = settled ] && break
		kill_daemon KILL
		killed=$((killed + 1))
		faults_daemon
	done
	# A kill loses what arrived since each segment's last checkpoint (one
	# a second): per kill at most ~2.5 s of each of the 6 connections
	# (maxConnections) at the served rate.
	if await "$uid"; then
		seg_finish seg-sigkill seg "$SEG_FILES" "$killed kills" $((killed * 6 * SEG_RATE * 5 / 2))
	else
		broke seg-sigkill "$(paste -sd';' "$WORK/await.out")"
	fi
fi

# ================================================ one segment sees a new validator
# The file changes (new content, new ETag) while its segments transfer;
# the open responses go on with the old version and one connection is
# cut: the segment that reconnects sees the new validator. The whole file
# must restart: the result is the new version, never a mix.
if selected seg-etag-change; then
	SCENARIO=seg-etag-change
	log "seg-etag-change"
	reset_world
	ctl "mode?rate=$SEG_RATE" >/dev/null
	uid=$(seg_register set "$WORK/dest" "$SRV/segetag-0.bin")
	wait_bytes "$uid" $((4 << 20))
	sleep 1.2 # checkpoints with the old validator are stored
	cp "$WWW/segetag-0.bin" "$WORK/segetag-old.bin"
	ctl "change?path=/segetag-0.bin&drop=0" >/dev/null
	ctl "drop?n=1" >/dev/null
	if await "$uid"; then
		size=$(total_size segetag)
		if [ -f "$WORK/dest/segetag-0.bin" ] && cmp -s "$WORK/dest/segetag-0.bin" "$WORK/segetag-old.bin"; then
			broke seg-etag-change "the old version was delivered after the validator changed"
		elif [ "$(served)" -le "$size" ]; then
			broke seg-etag-change "the server sent only $(served) bytes of $size: the file did not restart"
		else
			first=$(cmp "$WORK/dest/segetag-0.bin" "$WWW/segetag-0.bin" 2>/dev/null | head -1)
			seg_finish seg-etag-change segetag 1 "restarted on the new ETag${first:+; $first}"
		fi
	else
		broke seg-etag-change "$(paste -sd';' "$WORK/await.out")"
	fi
fi

# ================================================ ranges stop mid-way
# The server stops honouring ranges (no Accept-Ranges, 200 with the whole
# body) and drops the connections: the segments cannot resume; the file
# must still complete, byte-exact.
if selected seg-norange; then
	SCENARIO=seg-norange
	log "seg-norange"
	reset_world
	ctl "mode?rate=$SEG_RATE" >/dev/null
	uid=$(seg_register snr "$WORK/dest" "$SRV/segnr-0.bin")
	wait_bytes "$uid" $((4 << 20))
	sleep 1.2
	ctl "mode?norange=1" >/dev/null
	ctl drop >/dev/null
	if AWAIT_TIMEOUT=3m await "$uid"; then
		seg_finish seg-norange segnr 1 "ranges refused after 4 MiB"
	else
		broke seg-norange "$(paste -sd';' "$WORK/await.out")"
	fi
fi

# ================================================ link flaps during segmented transfers
if selected seg-link-flap; then
	SCENARIO=seg-link-flap
	log "seg-link-flap: $SEG_FLAPS times during $SEG_FILES x $SEG_MIB MiB, $SEG_CONNS connections each"
	reset_world
	ctl "mode?rate=$SEG_RATE" >/dev/null
	uid=$(seg_register slf "$WORK/dest" $(urls seg "$SEG_FILES"))
	sleep 1
	for ((i = 0; i < SEG_FLAPS; i++)); do
		link down
		((i % 2 == 1)) && ctl drop >/dev/null
		sleep "$FLAP_DOWN"
		link up
		sleep "$FLAP_UP"
	done
	if await "$uid"; then
		seg_finish seg-link-flap seg "$SEG_FILES" "$SEG_FLAPS flaps, $((SEG_FLAPS / 2)) losing the connections"
	else
		broke seg-link-flap "$(paste -sd';' "$WORK/await.out")"
	fi
fi
