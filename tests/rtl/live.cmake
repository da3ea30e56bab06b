# SPDX-License-Identifier: MIT
# lathe_live (live mode's audio path: I2S, the clock crossings, the slot schedule) alone,
# with a stand-in for the chain, against the codec model under two unrelated clocks
# (rtl-live-cdc, tests/rtl/test_live_cdc.cpp); and its synthesis for Xilinx 7-series.
# Its behaviour inside lathe_top is tested with the codec model in
# tests/sim/test_live_sim.cpp; the figures are in docs/rtl.md, "Live mode".
set(live_sources ${LATHE_RTL_DIR}/core/lathe_regs_pkg.sv ${LATHE_RTL_DIR}/io/lathe_sync_2ff.sv
                 ${LATHE_RTL_DIR}/io/lathe_async_fifo.sv ${LATHE_RTL_DIR}/io/lathe_pulse_sync.sv
                 ${LATHE_RTL_DIR}/io/lathe_i2s_clockgen.sv ${LATHE_RTL_DIR}/io/lathe_i2s_rx.sv
                 ${LATHE_RTL_DIR}/io/lathe_i2s_tx.sv ${LATHE_RTL_DIR}/io/lathe_live.sv)
add_executable(rtl-live-cdc ${CMAKE_CURRENT_LIST_DIR}/test_live_cdc.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-live-cdc PRIVATE lathe-sim-codec Catch2::Catch2)
# lathe::reg::kLiveStopCycles (the clock-stop threshold) from the generated register map.
add_dependencies(rtl-live-cdc lathe-regmap)
target_include_directories(rtl-live-cdc PRIVATE ${LATHE_REGMAP_DIR})
# The verification build: X values random per reset seed (--x-assign/--x-initial unique).
lathe_verilate(rtl-live-cdc TOP lathe_live_tb SOURCES ${live_sources} ${CMAKE_CURRENT_LIST_DIR}/lathe_live_tb.sv)
lathe_discover_tests(rtl-live-cdc TIMEOUT 600 LABELS rtl verilated live cdc)

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
