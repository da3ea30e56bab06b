#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install missing dependencies, configure (Release) and build Lathe into build/: all of
# it, or only the given CMake targets and what they need (scripts/demo.sh builds the two
# programs it runs). Usage: scripts/build.sh [TARGET...]. Works from any current directory.
set -euo pipefail

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd -- "$script_dir/.." && pwd)
cd -- "$repo_root"

die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }

bash "$script_dir/setup.sh" || die "dependency setup failed (scripts/setup.sh)"

# cmake is idempotent: re-running the configure step is cheap and picks up
# CMakeLists.txt changes and the build type.
printf 'build.sh: configuring build/ (Release)\n'
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release \
  || die "CMake configure failed (see the messages above)"

targets=()
for t in "$@"; do targets+=(--target "$t"); done
printf 'build.sh: building %s with %s jobs\n' "${*:-everything}" "$(nproc)"
cmake --build build -j"$(nproc)" "${targets[@]}" \
  || die "build failed (see the compiler messages above)"

printf 'build.sh: build OK, binaries in %s/build/bin\n' "$repo_root"
