#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Synthesis report (not a test): Yosys 0.23 synth_xilinx and synth_ice40 -dsp on
# lathe_core and on each stage, with LUTs, flip-flops, DSP blocks and block RAMs, and
# nextpnr-ice40 place and route on an iCE40 UP5K for whatever fits, with Fmax.
# Usage: scripts/synth_report.sh [TOP...]   (default: lathe_core and every stage; lathe_top on request)
set -euo pipefail
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."

need=()
command -v yosys >/dev/null 2>&1 || need+=(yosys)
command -v nextpnr-ice40 >/dev/null 2>&1 || need+=(nextpnr-ice40)
if ((${#need[@]})); then
  echo "synth_report.sh: installing ${need[*]}"
  if ((EUID == 0)); then apt-get install -y -qq "${need[@]}" >/dev/null; else sudo apt-get install -y -qq "${need[@]}" >/dev/null; fi
fi

out=build/synth
mkdir -p "$out"
mapfile -t files < <(sed 's|^|rtl/core/|' rtl/core/sources.f)
mapfile -t io_files < <(sed 's|^|rtl/io/|' rtl/io/sources.f)
files+=("${io_files[@]}" rtl/top/lathe_top.sv rtl/top/lathe_compressor_pins.sv)
tops=("$@")
# Stage tops have hundreds of ports, more than any UP5K package has pins: their place and
# route goes through a pin harness (rtl/top/*_pins.sv) where one exists.
((${#tops[@]})) || tops=(lathe_core lathe_trim_eq lathe_compressor lathe_limiter lathe_dither lathe_regfile lathe_meters
                         lathe_compressor_pins)

# UP5K resources: 5280 LUT4, 5280 DFF, 8 SB_MAC16, 30 SB_RAM40_4K.
count() { awk -v pat="$1" '$1 ~ pat { s += $2 } END { print s + 0 }' "$2"; }

printf '%-18s | %-44s | %-46s | %s\n' top "xilinx (synth_xilinx -flatten)" "ice40 (synth_ice40 -dsp)" "UP5K place and route"
for top in "${tops[@]}"; do
  xlog=$out/$top.xilinx.log
  ilog=$out/$top.ice40.log
  yosys -q -p "read_verilog -sv -Irtl/core ${files[*]}; synth_xilinx -flatten -top $top; tee -o $xlog stat" >/dev/null 2>&1 || true
  yosys -q -p "read_verilog -sv -Irtl/core ${files[*]}; synth_ice40 -dsp -top $top -json $out/$top.json; tee -o $ilog stat" >/dev/null 2>&1 || true
  xl=$(count '^LUT[1-6]$' "$xlog"); xf=$(count '^FD' "$xlog"); xd=$(count '^DSP48E1$' "$xlog")
  xb=$(awk '$1 ~ /^RAMB18E1$/ { s += $2 } $1 ~ /^RAMB36E1$/ { s += 2 * $2 } END { print s + 0 }' "$xlog")
  il=$(count '^SB_LUT4$' "$ilog"); if_=$(count '^SB_DFF' "$ilog"); id=$(count '^SB_MAC16$' "$ilog"); ib=$(count '^SB_RAM40_4K$' "$ilog")
  xilinx=$(printf '%6d LUT %6d FF %3d DSP48 %3d RAMB18' "$xl" "$xf" "$xd" "$xb")
  ice40=$(printf '%6d LUT4 %6d DFF %3d MAC16 %3d RAM4K' "$il" "$if_" "$id" "$ib")
  if ((il <= 5280 && if_ <= 5280 && id <= 8 && ib <= 30)); then
    plog=$out/$top.nextpnr.log
    if timeout 900 nextpnr-ice40 --up5k --package sg48 --json "$out/$top.json" --freq 24.576 --timing-allow-fail \
         --pcf-allow-unconstrained >"$plog" 2>&1; then
      fmax=$(grep -oE "Max frequency for clock +'clk_i[^:]*: [0-9.]+ MHz" "$plog" | tail -n 1 | grep -oE '[0-9.]+ MHz$')
      pnr="fits, Fmax ${fmax:-?}"
    elif grep -q 'placement location for cell.*sb_io' "$plog"; then
      pnr="fits; more ports than UP5K pins: see its _pins harness"
    else
      pnr="place and route failed ($(grep -m1 -iE 'error' "$plog" || echo see "$plog"))"
    fi
  else
    pnr="does not fit (LUT4 $il/5280, MAC16 $id/8, RAM4K $ib/30)"
  fi
  printf '%-18s | %-44s | %-46s | %s\n' "$top" "$xilinx" "$ice40" "$pnr"
done
echo "logs and netlists: $out"
