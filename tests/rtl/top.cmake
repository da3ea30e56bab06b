# SPDX-License-Identifier: MIT
# lathe_top through the FT232H pin model and the host's protocol codec.
add_executable(rtl-top ${CMAKE_CURRENT_LIST_DIR}/test_top.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_include_directories(rtl-top PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(rtl-top PRIVATE lathe-sim-board-checked Catch2::Catch2)
lathe_discover_tests(rtl-top TIMEOUT 600 LABELS rtl verilated)
