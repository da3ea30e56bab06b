# SPDX-License-Identifier: MIT
# lathe_tp_guard (true-peak guard stage) against model::TruePeakGuard.
add_executable(rtl-guard ${CMAKE_CURRENT_LIST_DIR}/test_guard.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-guard PRIVATE lathe Catch2::Catch2)
lathe_verilate(rtl-guard TOP lathe_tp_guard SOURCES
  ${LATHE_RTL_DIR}/core/lathe_regs_pkg.sv
  ${LATHE_RTL_DIR}/core/lathe_lim_ram.sv
  ${LATHE_RTL_DIR}/core/lathe_tp_guard.sv)
lathe_discover_tests(rtl-guard TIMEOUT 600 LABELS rtl verilated)
