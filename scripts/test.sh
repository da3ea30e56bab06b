#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build Lathe, then run its tests with ctest. Extra arguments go to ctest,
# e.g. `scripts/test.sh -L model` or `scripts/test.sh -R protocol`.
# Exit status: ctest's (or non-zero if the build fails).
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)
cd -- "$repo_root"

if ! bash "$script_dir/build.sh"; then
  printf 'test.sh: error: build failed, tests not run\n' >&2
  exit 1
fi

printf 'test.sh: running ctest %s\n' "$*"
# --no-tests=error: a build that registers no tests (or a filter that matches
# none) is a failure, not a silent pass.
if ctest --test-dir build --output-on-failure --no-tests=error -j"$(nproc)" "$@"; then
  printf 'test.sh: all tests passed\n'
else
  rc=$?
  printf 'test.sh: error: ctest failed (exit status %d)\n' "$rc" >&2
  exit "$rc"
fi
