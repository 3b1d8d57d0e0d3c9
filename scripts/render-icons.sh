#!/usr/bin/env bash
# render-icons.sh — re-render icons/png/*.png from icons/src/*.svg.
# The PNGs are committed; run this only after editing an SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh icons
src=icons/src out=icons/png
mkdir -p "$out"
for n in 16 24 32 48 64 128 256 512; do
	rsvg-convert -w "$n" -h "$n" "$src/bgfetch.svg" -o "$out/bgfetch-$n.png"
done
for s in idle downloading paused failed; do
	for n in 22 44; do
		rsvg-convert -w "$n" -h "$n" "$src/tray-$s.svg" -o "$out/tray-$s-$n.png"
	done
done
echo "rendered $(ls "$out" | wc -l) PNGs into $out"
