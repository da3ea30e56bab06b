#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian 12 packages Lathe needs to build and test.
# Only packages that are missing are installed; `apt-get update` runs only then.
# Idempotent and quick when everything is already installed.
# Run it (bash scripts/setup.sh); it is not meant to be sourced.
set -euo pipefail

# Debian packages the project needs. Extend this list as the project grows.
PACKAGES=(
  build-essential
  cmake
  pkg-config
  libsndfile1-dev
  libebur128-dev
  catch2
  nlohmann-json3-dev
  libcli11-dev
  libboost-dev
  verilator
  zlib1g-dev
  yosys
  qt6-base-dev
  libusb-1.0-0-dev
  umockdev
  libumockdev-dev
  python3-scipy
  python3-numpy
  lv2-dev
  liblilv-dev
  lilv-utils
  sordi
  jackd2
  libjack-jackd2-dev
)

export DEBIAN_FRONTEND=noninteractive

log() { printf 'setup.sh: %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  die "dpkg-query/apt-get not found: this script supports Debian 12 (bookworm) only"
fi

# A package counts as installed when dpkg reports "<want> ok installed"
# ("install ok installed", or "hold ok installed" for a held package).
is_installed() {
  local status
  # shellcheck disable=SC2016  # ${Status} is a dpkg-query format field, not a shell expansion
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ $status == *" ok installed" ]]
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  log "all ${#PACKAGES[@]} required packages are installed"
  exit 0
fi

log "missing packages: ${missing[*]}"

# Run as root directly, else through sudo. Without a terminal, sudo must not
# prompt for a password (it would hang or fail obscurely), so use `sudo -n`.
as_root=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    die "not running as root and sudo is not available; install as root: apt-get install -y ${missing[*]}"
  fi
  if [[ -t 0 ]]; then
    as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
  else
    as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
  fi
fi

log "running apt-get update"
"${as_root[@]}" apt-get update -q \
  || die "apt-get update failed (network, apt sources or sudo password?)"

log "installing: ${missing[*]}"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" \
  || die "apt-get install failed for: ${missing[*]}"

# Verify, so a silent partial install does not surface later as a confusing CMake error.
still_missing=()
for pkg in "${missing[@]}"; do
  is_installed "$pkg" || still_missing+=("$pkg")
done
if ((${#still_missing[@]} > 0)); then
  die "still not installed after apt-get install: ${still_missing[*]}"
fi
log "installed ${#missing[@]} package(s)"
