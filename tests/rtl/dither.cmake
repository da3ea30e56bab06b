# SPDX-License-Identifier: MIT
# lathe_dither against model::Dither.
add_executable(rtl-dither ${CMAKE_CURRENT_LIST_DIR}/test_dither.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_link_libraries(rtl-dither PRIVATE lathe Catch2::Catch2)
lathe_verilate(rtl-dither TOP lathe_dither SOURCES ${LATHE_RTL_DIR}/core/lathe_dither.sv)
lathe_discover_tests(rtl-dither TIMEOUT 600 LABELS rtl verilated)
