#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Whole-job speed of `lathe master --device sim` (x real time) and where the time goes:
# the host (model search, LinkDevice, codec) versus the simulated board, and within the
# board the DSP core versus the rest (FT245 adapter, packet layer, FT232H model), by
# comparing the board's simulated clock rate with the bare core's (lathe-bench-core).
# usage: scripts/bench_sim.sh [BUILD_DIR=build] [SECONDS=4] [RATE=48000]
set -euo pipefail
build=${1:-build}
seconds=${2:-4}
rate=${3:-48000}
bin=$build/bin
for tool in lathe lathe-make-demo lathe-bench-sim lathe-bench-core; do
  [[ -x $bin/$tool ]] || { echo "bench_sim: $bin/$tool is missing (build it first)" >&2; exit 1; }
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

"$bin/lathe-make-demo" "$scratch/in.wav" "$seconds" "$rate" >/dev/null
start=$(date +%s.%N)
"$bin/lathe" master "$scratch/in.wav" "$scratch/out.wav" --device sim --quiet
end=$(date +%s.%N)
echo "lathe master --device sim: $seconds s of audio at $rate Hz in $(echo "$end - $start" | bc -l | xargs printf '%.2f') s" \
     "= $(echo "$seconds / ($end - $start)" | bc -l | xargs printf '%.2f')x real time (process start to exit)"
echo
"$bin/lathe-bench-sim" "$seconds" "$rate" | tee "$scratch/sim.txt"
echo
"$bin/lathe-bench-core" "$seconds" | tee "$scratch/core.txt"
board_mhz=$(sed -n 's/.*, \([0-9.]*\) MHz simulated/\1/p' "$scratch/sim.txt")
core_mhz=$(sed -n 's/.*, \([0-9.]*\) M cycles\/s/\1/p' "$scratch/core.txt" | head -1)
if [[ -n $board_mhz && -n $core_mhz ]]; then
  echo
  echo "board simulates at $board_mhz MHz, the bare core at $core_mhz MHz: of the board's time," \
       "$(echo "100 * $board_mhz / $core_mhz" | bc -l | xargs printf '%.0f')% is the DSP core," \
       "$(echo "100 - 100 * $board_mhz / $core_mhz" | bc -l | xargs printf '%.0f')% the link (FT245 adapter, packet layer, FT232H model)"
fi
