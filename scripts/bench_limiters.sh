#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark (not a test): Lathe's model limiter against the LSP limiter (Debian
# lsp-plugins-lv2, hosted by lv2apply) and ffmpeg's alimiter, at 48 kHz:
#   - THD+N of a 30 Hz, a 50 Hz and a 1 kHz sine limited by 6 dB at each one's default release
#     (scripts/limiter_metrics.py: least-squares fit of the fundamental subtracted,
#     residual over 20 Hz .. 20 kHz, dB re the fundamental, on 4..10 s of a 12 s sine);
#   - latency: where a -20 dBFS impulse comes out (lv2apply and alimiter do not
#     compensate it; `lathe master` does, so the model's own delay is measured by
#     lathe-model-latency);
#   - overs by the reference meter (lathe-tp-reference: 32x Kaiser sinc, scipy's
#     resample_poly design) on the sines and on two mixes pushed to -14, -9 and -8 LUFS,
#     with the input gain (drive) that took, and the mean and maximum gain reduction
#     (limiter_metrics.py gr: 1 ms least-squares gain of the output against the input).
# Lathe twice: at its defaults (transient release 1 ms held 5 ms, release 80 ms) and with
# the transient stage off (lathe_troff: limiter.transient_release_ms = release_ms).
# Settings: every limiter at its defaults except the ceiling (-1 dBTP for Lathe, the
# threshold/limit -1 dBFS for LSP and alimiter, so all three limit by the same 6 dB) and
# alimiter's auto level (off: it would scale the output to 0 dBFS). Lathe: EQ off,
# compressor 1:1, lookahead 2 ms, release 80 ms. LSP: Herm Thin, lookahead 5 ms, attack
# and release 5 ms, automatic level regulation (ALR) on, no oversampling, gain boost off
# (with it the output goes back up to 0 dBFS); also with ALR off, and with ALR off and
# "Full x8(3L)" oversampling. alimiter: attack 5 ms, release 50 ms.
# Usage: scripts/bench_limiters.sh [BUILD_DIR=build]
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
build=${1:-build}

need=()
[[ -d /usr/lib/lv2/lsp-plugins.lv2 ]] || need+=(lsp-plugins-lv2)
command -v lv2apply >/dev/null 2>&1 || need+=(lilv-utils)
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
command -v sox >/dev/null 2>&1 || need+=(sox)
/usr/bin/python3 -c "import numpy" 2>/dev/null || need+=(python3-numpy)
if ((${#need[@]})); then
  echo "bench_limiters.sh: installing ${need[*]} for the comparison"
  if ((EUID == 0)); then apt-get install -y -qq "${need[@]}" >/dev/null; else sudo apt-get install -y -qq "${need[@]}" >/dev/null; fi
fi
cmake --build "$build" -j2 --target lathe-cli lathe-tp-reference lathe-tp-survey lathe-model-latency >/dev/null

bin=$build/bin
work=$build/bench-limiters
mkdir -p "$work"
py=/usr/bin/python3
metrics=scripts/limiter_metrics.py
lsp=http://lsp-plug.in/plugins/lv2/limiter_stereo
fs=48000
ceiling=-1
limit=$(awk -v c=$ceiling 'BEGIN { printf "%.6f", 10 ^ (c / 20) }')
target=-8

# Signals: sines peaking at the ceiling (+6 dB of input gain makes 6 dB of limiting),
# an impulse for latency, and the mixes of tests/tp_worst_cases.hpp.
$py $metrics sine "$work/sine30.wav" 30 12 $ceiling
$py $metrics sine "$work/sine50.wav" 50 12 $ceiling
$py $metrics sine "$work/sine1k.wav" 1000 12 $ceiling
$py $metrics impulse "$work/impulse.wav" 1 4800 -20
$bin/lathe-tp-survey --write-cases "$work" --rates $fs --cases dense_mix,mix --seconds 10 >/dev/null
signals=(sine30 sine50 sine1k impulse dense_mix_$fs mix_$fs)
# The plug-in hosts shift the output by the latency and keep the input's length: pad
# half a second of silence, as 32-bit float so nothing above full scale is clipped.
for s in "${signals[@]}"; do sox "$work/$s.wav" -e floating-point -b 32 "$work/$s-f32.wav" pad 0 0.5; done

lathe_sets=(--set compressor.ratio=1 --set eq.band1.type=off --set eq.band2.type=off)
lathe_run() {  # IN OUT GAIN_DB|target [SETTINGS...]; with target prints the report's drive and GR max
  local in=$1 out=$2 gain=$3
  shift 3
  if [[ $gain == target ]]; then
    $bin/lathe master "$in" "$out" --target-lufs $target "${lathe_sets[@]}" "$@" 2>&1 |
      sed -n 's/.*limiter max \([0-9.]*\) dB; limiter drive \([-+0-9.]*\) dB.*/\2 \1/p'
  else
    $bin/lathe master "$in" "$out" --quiet --target-lufs off --set limiter.drive_db="$gain" "${lathe_sets[@]}" "$@"
  fi
}
lathe_troff_run() { lathe_run "$@" --set limiter.transient_release_ms=80; }  # = release_ms: the fast stage off
# LSP's threshold with its "gain boost" on lifts the output back to 0 dBFS: off, so that
# the threshold is the output ceiling.
lsp_common() {  # IN OUT GAIN_DB CONTROLS...
  local in=$1 out=$2 gain=$3
  shift 3
  lv2apply -i "${in%.wav}-f32.wav" -o "$out" -c g_in "$(awk -v g="$gain" 'BEGIN { printf "%.6f", 10 ^ (g / 20) }')" \
    -c th "$limit" -c boost 0 "$@" $lsp
}
lsp_run() { lsp_common "$@"; }                        # defaults: ALR on, no oversampling
lsp_noalr_run() { lsp_common "$@" -c alr 0; }         # automatic level regulation off
lsp8_run() { lsp_common "$@" -c alr 0 -c ovs 20; }    # and Full x8 (3 lobes) oversampling
ffmpeg_run() {  # IN OUT GAIN_DB
  ffmpeg -hide_banner -nostdin -loglevel error -y -i "${1%.wav}-f32.wav" \
    -af "alimiter=level_in=$(awk -v g="$3" 'BEGIN { printf "%.6f", 10 ^ (g / 20) }'):limit=$limit:level=false" \
    -c:a pcm_f32le "$2"
}

lufs() { $bin/lathe analyze --json "$1" | sed -n 's/.*"integrated_lufs" *: *\([-0-9.]*\).*/\1/p' | head -n 1; }
margin() { $bin/lathe-tp-reference --ceiling $ceiling "$1" | sed -n 's/.*margin \([-+0-9.]*\) dB.*/\1/p'; }

# Input gain that brings a limiter's output to the target loudness: secant steps on
# dB of gain per LU (at most 10 dB a step, within -6..+36 dB: alimiter's range), at most
# 8 runs, within 0.05 LU. A limiter whose loudness does not follow its input gain (LSP
# with ALR) ends where the steps stop helping.
push_to_target() {  # RUNNER IN OUT -> prints "GAIN_DB LUFS"
  local run=$1 in=$2 out=$3 g0 l0 g1 l1 g2 i
  local step='function clamp(g, lo, hi) { return g < lo ? lo : (g > hi ? hi : g) }'
  g0=$(awk -v t=$target -v l="$(lufs "$in")" "$step"' BEGIN { print clamp(t - l, -6, 36) }')
  $run "$in" "$out" "$g0"; l0=$(lufs "$out")
  g1=$(awk -v g="$g0" -v t=$target -v l="$l0" "$step"' BEGIN { print clamp(g + clamp(t - l, -10, 10), -6, 36) }')
  for ((i = 0; i < 8; ++i)); do
    $run "$in" "$out" "$g1"; l1=$(lufs "$out")
    if awk -v l="$l1" -v t=$target 'BEGIN { exit !((l - t) ^ 2 < 0.05 ^ 2) }'; then break; fi
    g2=$(awk -v a="$g0" -v la="$l0" -v b="$g1" -v lb="$l1" -v t=$target "$step"' BEGIN {
      d = (lb - la) ^ 2 < 1e-6 ? t - lb : (t - lb) * (b - a) / (lb - la); print clamp(b + clamp(d, -10, 10), -6, 36) }')
    if [[ $g2 == "$g1" ]]; then break; fi
    g0=$g1; l0=$l1; g1=$g2
  done
  $run "$in" "$out" "$g1"  # the output left behind is the last gain's
  echo "$g1 $(lufs "$out")"
}

echo "== latency (frames at $fs Hz)"
echo "lathe model (lookahead 2 ms, uncompensated): $($bin/lathe-model-latency $fs 2)"
lathe_run "$work/impulse.wav" "$work/lathe-impulse.wav" 0
echo "lathe master (compensated): $($py $metrics latency "$work/impulse.wav" "$work/lathe-impulse.wav")"
for l in lsp lsp_noalr lsp8 ffmpeg; do
  ${l}_run "$work/impulse.wav" "$work/$l-impulse.wav" 0
  echo "$l: $($py $metrics latency "$work/impulse-f32.wav" "$work/$l-impulse.wav")"
done

printf '\n== 6 dB of limiting at the default release; THD+N over 20 Hz..20 kHz; margin to %s dBTP by the reference (negative = over)\n' $ceiling
for l in lathe lathe_troff lsp lsp_noalr lsp8 ffmpeg; do
  for f in 30 50 1k; do
    ${l}_run "$work/sine$f.wav" "$work/$l-sine$f.wav" 6
    hz=$([[ $f == 1k ]] && echo 1000 || echo $f)
    printf '%-7s %5s Hz sine: %s; margin %s dB\n' $l $hz "$($py $metrics thdn "$work/$l-sine$f.wav" $hz)" \
      "$(margin "$work/$l-sine$f.wav")"
  done
done

gr() { $py $metrics gr "$1" "$2" "$3" | sed -n 's/GR \(.*\) (latency.*/\1/p'; }
for target in -14 -9 -8; do
  printf '\n== mixes pushed to %s LUFS (input gain found by search; lathe: its own loudness search)\n' $target
  for m in mix dense_mix; do
    in=$work/${m}_$fs.wav
    printf '%-9s input: %s LUFS, reference true peak %s\n' $m "$(lufs "$in")" \
      "$($bin/lathe-tp-reference "$in" | sed -n 's/.*true peak \([-+0-9.]*\) dBTP.*/\1 dBTP/p')"
    for l in lathe lathe_troff; do
      read -r g _ < <(${l}_run "$in" "$work/$l-$m$target.wav" target)
      printf '  %-11s %7s LUFS with %+.2f dB drive, %s, margin %s dB\n' $l "$(lufs "$work/$l-$m$target.wav")" "$g" \
        "$(gr "$in" "$work/$l-$m$target.wav" "$g")" "$(margin "$work/$l-$m$target.wav")"
    done
    for l in lsp lsp_noalr lsp8 ffmpeg; do
      read -r g lu < <(push_to_target ${l}_run "$in" "$work/$l-$m$target.wav")
      printf '  %-11s %7s LUFS with %+.2f dB input gain, %s, margin %s dB\n' $l "$lu" "$g" \
        "$(gr "${in%.wav}-f32.wav" "$work/$l-$m$target.wav" "$g")" "$(margin "$work/$l-$m$target.wav")"
    done
  done
done
