#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The usb back end's host-side cost under the virtual board: register round trips, device
# pass speed, and CPU time per second of audio, at 48 and 96 kHz (docs/board.md).
# Usage: scripts/bench_usb.sh [seconds=10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
bash scripts/build.sh lathe-virtual-board lathe-bench-usb >/dev/null
for rate in 48000 96000; do
  echo "== ${seconds} s at ${rate} Hz"
  build/bin/lathe-virtual-board --stats -- build/bin/lathe-bench-usb "$seconds" "$rate"
done
