# SPDX-License-Identifier: MIT
# lathe_log2 and lathe_exp2 against fx::log2_q16 and fx::exp2_gain_q27.
add_executable(rtl-log2-exp2 ${CMAKE_CURRENT_LIST_DIR}/test_log2_exp2.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-log2-exp2 PRIVATE lathe Catch2::Catch2)
lathe_verilate(rtl-log2-exp2 TOP lathe_log2_exp2_tb SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/lathe_log2_exp2_tb.sv ${LATHE_RTL_DIR}/core/lathe_log2.sv ${LATHE_RTL_DIR}/core/lathe_exp2.sv)
lathe_discover_tests(rtl-log2-exp2 TIMEOUT 600 LABELS rtl verilated)
