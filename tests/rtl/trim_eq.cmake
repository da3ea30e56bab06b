# SPDX-License-Identifier: MIT
# lathe_trim_eq (input trim + 2 x 8-band EQ, and a 4-band build) against the start of
# model::Chain::front.
add_executable(rtl-trim-eq ${CMAKE_CURRENT_LIST_DIR}/test_trim_eq.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-trim-eq PRIVATE lathe Catch2::Catch2)
target_include_directories(rtl-trim-eq PRIVATE ${PROJECT_SOURCE_DIR}/tests)
lathe_verilate(rtl-trim-eq TOP lathe_trim_eq_tb SOURCES ${LATHE_RTL_DIR}/core/lathe_regs_pkg.sv
  ${CMAKE_CURRENT_LIST_DIR}/lathe_trim_eq_tb.sv ${LATHE_RTL_DIR}/core/lathe_trim_eq.sv
  ${LATHE_RTL_DIR}/core/lathe_biquad_engine.sv)
# The same stage with Bands = 4, in the same executable.
lathe_verilate(rtl-trim-eq TOP lathe_trim_eq_b4_tb SOURCES ${LATHE_RTL_DIR}/core/lathe_regs_pkg.sv
  ${CMAKE_CURRENT_LIST_DIR}/lathe_trim_eq_b4_tb.sv ${CMAKE_CURRENT_LIST_DIR}/lathe_trim_eq_tb.sv
  ${LATHE_RTL_DIR}/core/lathe_trim_eq.sv ${LATHE_RTL_DIR}/core/lathe_biquad_engine.sv)
lathe_discover_tests(rtl-trim-eq TIMEOUT 600 LABELS rtl verilated)
