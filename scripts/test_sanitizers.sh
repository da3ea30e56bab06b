#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the host library, the CLI and the driver with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-sanitize/ (no Verilated RTL, no GUI: those need
# the simulated or virtual board, or Qt, which are tested in build/), then run their
# tests. Any sanitizer report fails the test that caused it. Extra arguments go to ctest.
# CI (.ci/run) runs this after scripts/test.sh.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)
cd -- "$repo_root"

die() { printf 'test_sanitizers.sh: error: %s\n' "$*" >&2; exit 1; }

bash "$script_dir/setup.sh" || die "dependency setup failed (scripts/setup.sh)"

printf 'test_sanitizers.sh: configuring build-sanitize/ (ASan + UBSan, no Verilated RTL, no GUI)\n'
# -O2 keeps the DSP-heavy tests quick under ASan (at -O1 two of them take 4x longer than
# the whole build saves); -g1: line numbers in reports, for less compile time than -g.
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1" \
  -DLATHE_SANITIZE=ON -DLATHE_VERILATED=OFF -DLATHE_GUI=OFF || die "CMake configure failed (see the messages above)"
cmake --build build-sanitize -j"$(nproc)" || die "build failed (see the compiler messages above)"

# Leaks count; a report ends the process with an error; reports name source lines.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
printf 'test_sanitizers.sh: running ctest %s\n' "$*"
# -LE address_limit: tests that cap the address space (ulimit -v), which ASan's shadow
# memory cannot run under; they run in build/.
if ctest --test-dir build-sanitize --output-on-failure --no-tests=error -j"$(nproc)" -LE address_limit "$@"; then
  printf 'test_sanitizers.sh: all tests passed under ASan and UBSan\n'
else
  rc=$?
  printf 'test_sanitizers.sh: error: ctest failed under the sanitizers (exit status %d)\n' "$rc" >&2
  exit "$rc"
fi
