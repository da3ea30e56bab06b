#!/bin/sh
# SPDX-License-Identifier: MIT
# Figures for docs/daw.md ("JACK client"): xruns of `lathe live --jack --device model`
# over 60 s of audio in real time at 64- and 128-frame periods on a dummy jackd while two
# `yes > /dev/null` keep both cores busy (with the server non-realtime and SCHED_FIFO),
# then the reported against the measured latency for model, sim and usb (freewheel).
# Each line is one session: lathe-bench-jack plays a music-like programme through lathe
# and compares the return with `lathe master`. Not a test: nothing here is judged.
#   scripts/bench_jack.sh [BUILD_DIR] [SECONDS]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
seconds=${2:-60}
[ -f "$build/CMakeCache.txt" ] || cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DLATHE_GUI=OFF >/dev/null
cmake --build "$build" -j2 --target lathe-cli lathe-bench-jack lathe-virtual-board >/dev/null
bench="$build/bin/lathe-bench-jack"

echo "== xruns, model, real time, ${seconds} s, both cores busy (2 x yes)"
yes >/dev/null & load1=$!
yes >/dev/null & load2=$!
trap 'kill $load1 $load2 2>/dev/null || true' EXIT
for server in "" --realtime-server; do
  for period in 64 128; do
    "$bench" --device model --period "$period" --seconds "$seconds" --real-time $server
  done
done
kill $load1 $load2
trap - EXIT

echo "== latency: reported by lathe's out ports against measured (freewheel)"
"$bench" --device model --period 64 --seconds 2 --freewheel
"$bench" --device model --period 128 --seconds 2 --freewheel
if [ -x "$build/bin/lathe-virtual-board" ]; then
  "$bench" --device sim --period 64 --seconds 1 --freewheel
  "$bench" --device sim --period 256 --seconds 1 --freewheel
  "$bench" --device usb --period 256 --seconds 1 --freewheel --wrapper "$build/bin/lathe-virtual-board"
  echo "== sim in real time (dropouts: it runs slower than real time)"
  "$bench" --device sim --period 256 --seconds 5 --real-time --realtime-server
  "$bench" --device sim --period 1024 --seconds 5 --real-time --realtime-server
fi
