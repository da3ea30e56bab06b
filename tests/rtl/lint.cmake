# SPDX-License-Identifier: MIT
# The RTL is lint-clean: `verilator --lint-only -Wall` on both tops and on each serial
# audio block, which no top instantiates yet (warnings fail the test).
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
