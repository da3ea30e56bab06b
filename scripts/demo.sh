#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build Lathe, generate a 20 s demo track, analyze it, master it with the
# "streaming" preset, and analyze the result. Files go to build/demo/.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)
cd -- "$repo_root"

die() { printf 'demo.sh: error: %s\n' "$*" >&2; exit 1; }
section() { printf '\n=== %s ===\n' "$*"; }

# Only what the demo runs: the CLI (with the back ends it links) and the track generator,
# not the tests and benchmarks.
bash "$script_dir/build.sh" lathe-cli lathe-make-demo || die "build failed, demo not run"

bin_dir=build/bin
demo_dir=build/demo
lathe=$bin_dir/lathe
make_demo=$bin_dir/lathe-make-demo
demo_in=$demo_dir/demo-in.wav
demo_out=$demo_dir/demo-out.wav

for tool in "$lathe" "$make_demo"; do
  [[ -x $tool ]] || die "$tool was not built (is its target in CMakeLists.txt?)"
done

mkdir -p -- "$demo_dir"
rm -f -- "$demo_in" "$demo_out"

section "Generating demo track: $demo_in"
"$make_demo" "$demo_in" || die "lathe-make-demo failed"
[[ -s $demo_in ]] || die "lathe-make-demo did not write $demo_in"

section "Analyzing input: $demo_in"
"$lathe" analyze "$demo_in" || die "lathe analyze failed on $demo_in"

section "Mastering (preset: streaming): $demo_in -> $demo_out"
"$lathe" master "$demo_in" "$demo_out" --preset streaming || die "lathe master failed"
[[ -s $demo_out ]] || die "lathe master did not write $demo_out"

section "Analyzing output: $demo_out"
"$lathe" analyze "$demo_out" || die "lathe analyze failed on $demo_out"

printf '\nDemo done. Files: %s/%s (demo-in.wav, demo-out.wav); binaries: %s/%s (lathe, lathe-make-demo).\n' \
  "$repo_root" "$demo_dir" "$repo_root" "$bin_dir"
