# SPDX-License-Identifier: MIT
# lathe_async_fifo (the clock-domain crossing of the live path) under two unrelated clocks,
# and its synthesis with Yosys.
add_executable(rtl-cdc ${CMAKE_CURRENT_LIST_DIR}/test_cdc.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-cdc PRIVATE Catch2::Catch2)
lathe_verilate(rtl-cdc TOP lathe_async_fifo SOURCES
  ${LATHE_RTL_DIR}/io/lathe_sync_2ff.sv
  ${LATHE_RTL_DIR}/io/lathe_async_fifo.sv
  EXTRA_ARGS -DLATHE_CDC_SKEW)  # lathe_sync_2ff's simulated metastability (+lathe_cdc_skew)
lathe_discover_tests(rtl-cdc TIMEOUT 300 LABELS rtl verilated)

# It synthesises for Xilinx 7-series (at the live path's width, a 48-bit stereo frame);
# fails if Yosys does or infers a latch. The figures are in docs/rtl.md.
find_program(LATHE_YOSYS yosys)
if(LATHE_YOSYS)
  add_test(NAME rtl_synth_cdc
    COMMAND ${LATHE_YOSYS} -q -p
      "read_verilog -sv rtl/io/lathe_sync_2ff.sv rtl/io/lathe_async_fifo.sv; hierarchy -top lathe_async_fifo -chparam Width 48 -chparam Depth 8; synth_xilinx -flatten -top lathe_async_fifo; select -assert-none t:LD*; stat"
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  lathe_test_properties(rtl_synth_cdc TIMEOUT 300 LABELS rtl synth)
else()
  message(STATUS "yosys not found: no rtl_synth_cdc test")
endif()
