#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark (not a test): on a 3-minute 48 kHz stereo music-like file, the reference
# model's speed in x real time, and the whole `lathe master --preset streaming` job
# against ffmpeg doing the same job (EQ and compressor, then two-pass loudnorm to
# -14 LUFS / -1 dBTP): wall time and how close each lands to the target.
# Usage: scripts/bench_master.sh [SECONDS=180]
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
seconds=${1:-180}

bash scripts/build.sh lathe-cli lathe-make-demo lathe-bench-model >/dev/null
if ! command -v ffmpeg >/dev/null 2>&1; then
  echo "bench_master.sh: installing ffmpeg for the comparison"
  if ((EUID == 0)); then apt-get install -y -qq ffmpeg >/dev/null; else sudo apt-get install -y -qq ffmpeg >/dev/null; fi
fi

work=build/bench
mkdir -p "$work"
in=$work/bench-in.wav
build/bin/lathe-make-demo "$in" "$seconds" 48000

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
field() { sed -n "s/.*\"$1\" *: *\"\{0,1\}\([-0-9.]*\).*/\1/p" | head -n 1; }

echo "== reference model, one pass, single thread"
build/bin/lathe-bench-model "$in"

echo "== lathe master --preset streaming (search on the model, then write)"
t0=$(now)
build/bin/lathe master "$in" "$work/lathe-out.wav" --preset streaming --quiet
t1=$(now)
lathe_time=$(elapsed "$t0" "$t1")

# The same chain in ffmpeg: high-pass 25 Hz, +1 dB high shelf at 10 kHz, compressor
# -18 dB 2:1 soft knee 20/200 ms, then loudnorm in two passes (measure, then apply
# linearly with the measured values), at 48 kHz 24-bit out.
chain="highpass=f=25:poles=2,treble=g=1:f=10000:t=q:w=0.7071,acompressor=threshold=-18dB:ratio=2:attack=20:release=200:knee=2"
echo "== ffmpeg: $chain, loudnorm two-pass"
t0=$(now)
measure=$(ffmpeg -hide_banner -nostdin -i "$in" -af "$chain,loudnorm=I=-14:TP=-1:LRA=20:print_format=json" -f null - 2>&1)
mi=$(field input_i <<<"$measure"); mtp=$(field input_tp <<<"$measure")
mlra=$(field input_lra <<<"$measure"); mth=$(field input_thresh <<<"$measure"); off=$(field target_offset <<<"$measure")
ffmpeg -hide_banner -nostdin -loglevel error -y -i "$in" -af \
  "$chain,loudnorm=I=-14:TP=-1:LRA=20:measured_I=$mi:measured_TP=$mtp:measured_LRA=$mlra:measured_thresh=$mth:offset=$off:linear=true" \
  -ar 48000 -c:a pcm_s24le "$work/ffmpeg-out.wav"
t1=$(now)
ffmpeg_time=$(elapsed "$t0" "$t1")

report() {
  local json
  json=$(build/bin/lathe analyze --json "$1")
  printf '%-8s %8s s   %7s LUFS (target -14.0)   %6s dBTP (ceiling -1.0)\n' "$2" "$3" \
    "$(field integrated_lufs <<<"$json")" "$(field true_peak_dbtp <<<"$json")"
}
echo "== results for ${seconds} s of audio"
report "$work/lathe-out.wav" lathe "$lathe_time"
report "$work/ffmpeg-out.wav" ffmpeg "$ffmpeg_time"
awk -v a="$lathe_time" -v b="$ffmpeg_time" 'BEGIN { printf "lathe is %.1fx faster than the ffmpeg two-pass job\n", b / a }'
