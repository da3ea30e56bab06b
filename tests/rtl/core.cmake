# SPDX-License-Identifier: MIT
# The whole lathe_core against the model, through the Device interface. TIMEOUT: a random-jobs
# case takes about 370 s alone (520 s on a busy machine) since the true-peak guard; 1200 keeps it a
# hang guard.
add_executable(rtl-core ${CMAKE_CURRENT_LIST_DIR}/test_core.cpp ${PROJECT_SOURCE_DIR}/tests/main.cpp)
target_include_directories(rtl-core PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(rtl-core PRIVATE lathe-sim-core-checked Catch2::Catch2)
lathe_discover_tests(rtl-core TIMEOUT 1200 LABELS rtl verilated)
