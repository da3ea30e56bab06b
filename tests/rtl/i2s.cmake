# SPDX-License-Identifier: MIT
# The serial audio blocks (lathe_i2s_clockgen, lathe_i2s_rx, lathe_i2s_tx) in a loop with
# the codec model, and their synthesis for Xilinx 7-series.
set(i2s_sources ${LATHE_RTL_DIR}/io/lathe_i2s_clockgen.sv ${LATHE_RTL_DIR}/io/lathe_i2s_rx.sv
                ${LATHE_RTL_DIR}/io/lathe_i2s_tx.sv)
add_executable(rtl-i2s ${CMAKE_CURRENT_LIST_DIR}/test_i2s.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-i2s PRIVATE lathe-sim-codec Catch2::Catch2)
lathe_verilate(rtl-i2s TOP lathe_i2s_loop_tb SOURCES ${CMAKE_CURRENT_LIST_DIR}/lathe_i2s_loop_tb.sv ${i2s_sources})
lathe_discover_tests(rtl-i2s TIMEOUT 300 LABELS rtl verilated)

# Each block as its own top through synth_xilinx; fails when Yosys does or when the
# netlist fails `check` (combinational loops, multiple drivers). The cell counts go to
# the test's output (ctest -V -R rtl_synth_i2s).
find_program(LATHE_YOSYS yosys)
if(LATHE_YOSYS)
  list(JOIN i2s_sources " " i2s_files)
  set(i2s_synth_script "read_verilog -sv ${i2s_files}; design -save read")
  foreach(top lathe_i2s_clockgen lathe_i2s_rx lathe_i2s_tx)
    string(APPEND i2s_synth_script
      "; design -load read; synth_xilinx -flatten -top ${top}; check -assert; tee -o /dev/stdout stat")
  endforeach()
  add_test(NAME rtl_synth_i2s COMMAND ${LATHE_YOSYS} -q -p "${i2s_synth_script}")
  lathe_test_properties(rtl_synth_i2s TIMEOUT 300 LABELS rtl synth)
else()
  message(STATUS "yosys not found: rtl_synth_i2s not registered")
endif()
