# SPDX-License-Identifier: MIT
# The RTL is lint-clean: `verilator --lint-only -Wall` on both tops, on each serial
# audio block, and on the live path's test top (tests/rtl/lathe_live_tb.sv, lathe_live
# with a stand-in chain); warnings fail the test.
foreach(top lathe_core lathe_top lathe_i2s_clockgen lathe_i2s_rx lathe_i2s_tx)
  set(lint_sources ${LATHE_CORE_SOURCES})
  if(top STREQUAL lathe_top)
    list(APPEND lint_sources ${LATHE_IO_SOURCES} ${LATHE_RTL_DIR}/top/lathe_top.sv)
  elseif(top MATCHES "^lathe_i2s_")
    set(lint_sources ${LATHE_RTL_DIR}/io/${top}.sv)
  endif()
  add_test(NAME rtl_lint_${top}
    COMMAND ${VERILATOR_BIN} --lint-only -Wall -I${LATHE_RTL_DIR}/core -I${LATHE_RTL_DIR}/io
            "-DLATHE_TABLES_DIR=\"${PROJECT_SOURCE_DIR}/tables\"" --top-module ${top} ${lint_sources}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  lathe_test_properties(rtl_lint_${top} TIMEOUT 120 LABELS rtl lint verilated)
endforeach()

set(lint_live_sources ${LATHE_RTL_DIR}/core/lathe_regs_pkg.sv ${LATHE_RTL_DIR}/io/lathe_sync_2ff.sv
                      ${LATHE_RTL_DIR}/io/lathe_async_fifo.sv ${LATHE_RTL_DIR}/io/lathe_pulse_sync.sv
                      ${LATHE_RTL_DIR}/io/lathe_i2s_clockgen.sv ${LATHE_RTL_DIR}/io/lathe_i2s_rx.sv
                      ${LATHE_RTL_DIR}/io/lathe_i2s_tx.sv ${LATHE_RTL_DIR}/io/lathe_live.sv
                      ${CMAKE_CURRENT_LIST_DIR}/lathe_live_tb.sv)
add_test(NAME rtl_lint_lathe_live_tb
  COMMAND ${VERILATOR_BIN} --lint-only -Wall -I${LATHE_RTL_DIR}/core -I${LATHE_RTL_DIR}/io
          --top-module lathe_live_tb ${lint_live_sources}
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
lathe_test_properties(rtl_lint_lathe_live_tb TIMEOUT 120 LABELS rtl lint verilated)
