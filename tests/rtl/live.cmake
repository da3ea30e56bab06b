# SPDX-License-Identifier: MIT
# lathe_live (live mode's audio path: I2S, the clock crossings, the slot schedule)
# synthesises for Xilinx 7-series; fails when Yosys does, infers a latch, or the netlist
# fails `check`. Its behaviour is tested through lathe_top with the codec model
# (tests/sim/test_live_sim.cpp); the figures are in docs/rtl.md, "Live mode".
find_program(LATHE_YOSYS yosys)
if(LATHE_YOSYS)
  set(live_files rtl/core/lathe_regs_pkg.sv rtl/io/lathe_sync_2ff.sv rtl/io/lathe_async_fifo.sv
                 rtl/io/lathe_pulse_sync.sv rtl/io/lathe_i2s_clockgen.sv rtl/io/lathe_i2s_rx.sv
                 rtl/io/lathe_i2s_tx.sv rtl/io/lathe_live.sv)
  list(JOIN live_files " " live_files_text)
  add_test(NAME rtl_synth_live
    COMMAND ${LATHE_YOSYS} -q -p
      "read_verilog -sv ${live_files_text}; synth_xilinx -flatten -top lathe_live; select -assert-none t:LD*; check -assert; tee -o /dev/stdout stat"
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  lathe_test_properties(rtl_synth_live TIMEOUT 300 LABELS rtl synth)
else()
  message(STATUS "yosys not found: rtl_synth_live not registered")
endif()
