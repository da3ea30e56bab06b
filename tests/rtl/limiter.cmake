# SPDX-License-Identifier: MIT
# lathe_limiter (true-peak limiter stage) against model::TruePeakDetector + model::TruePeakLimiter.
add_executable(rtl-limiter ${CMAKE_CURRENT_LIST_DIR}/test_limiter.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-limiter PRIVATE lathe tp-worst-cases Catch2::Catch2)
lathe_verilate(rtl-limiter TOP lathe_limiter SOURCES
  ${LATHE_RTL_DIR}/core/lathe_regs_pkg.sv
  ${LATHE_RTL_DIR}/core/lathe_limiter.sv
  ${LATHE_RTL_DIR}/core/lathe_tp_detector.sv
  ${LATHE_RTL_DIR}/core/lathe_lim_hold.sv
  ${LATHE_RTL_DIR}/core/lathe_lim_ram.sv
  ${LATHE_RTL_DIR}/core/lathe_lim_mul_bank.sv
  ${LATHE_RTL_DIR}/core/lathe_log2.sv
  ${LATHE_RTL_DIR}/core/lathe_exp2.sv)
lathe_discover_tests(rtl-limiter TIMEOUT 600 LABELS rtl verilated)
