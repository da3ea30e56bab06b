# SPDX-License-Identifier: MIT
# lathe_compressor (with its lanes and the shared log2/exp2 units) against model::Compressor.
add_executable(rtl-compressor ${CMAKE_CURRENT_LIST_DIR}/test_compressor.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-compressor PRIVATE lathe Catch2::Catch2)
lathe_verilate(rtl-compressor TOP lathe_compressor SOURCES
  ${LATHE_RTL_DIR}/core/lathe_compressor.sv ${LATHE_RTL_DIR}/core/lathe_comp_lane.sv
  ${LATHE_RTL_DIR}/core/lathe_log2.sv ${LATHE_RTL_DIR}/core/lathe_exp2.sv)
lathe_discover_tests(rtl-compressor TIMEOUT 600 LABELS rtl verilated)
