# SPDX-License-Identifier: MIT
# How Lathe registers its tests with ctest: every test gets labels by area (so that
# `ctest -L rtl` or `scripts/test.sh -L model` selects the right ones) and a TIMEOUT, a
# hang guard far above what the test needs on a busy machine.
#
# Catch2 v2's catch_discover_tests (Debian 12) cannot turn a test case's tags into
# labels, so lathe_discover_tests() adds a second post-build step, CatchLabels.cmake,
# that asks the executable which test cases carry each tag and writes their LABELS.

set(LATHE_CATCH_LABELS_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/CatchLabels.cmake CACHE INTERNAL "")

# Tags whose ctest label has another name, as TAG=LABEL (a test gets both).
set(LATHE_TAG_LABELS "io=files" CACHE INTERNAL "")

# lathe_discover_tests(<target> TIMEOUT <seconds> [LABELS <label>...] [ENVIRONMENT <VAR=value>...])
# One ctest entry per Catch2 test case of <target>, labelled with its tags (without the
# brackets) plus LABELS, each with TIMEOUT (and ENVIRONMENT). A test case without a tag
# fails the build.
function(lathe_discover_tests target)
  cmake_parse_arguments(T "" "TIMEOUT" "LABELS;ENVIRONMENT" ${ARGN})
  if(NOT T_TIMEOUT)
    message(FATAL_ERROR "lathe_discover_tests(${target}): TIMEOUT is required")
  endif()
  # -w NoTests: a ctest entry whose filter matches no test case fails instead of passing
  # with nothing run. A ';' in a test name (a CMake list separator) once cut five names
  # short, and those five tests never ran.
  if(T_ENVIRONMENT)
    catch_discover_tests(${target} EXTRA_ARGS -w NoTests PROPERTIES TIMEOUT ${T_TIMEOUT} ENVIRONMENT "${T_ENVIRONMENT}")
  else()
    catch_discover_tests(${target} EXTRA_ARGS -w NoTests PROPERTIES TIMEOUT ${T_TIMEOUT})
  endif()
  set(labels_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake)
  add_custom_command(TARGET ${target} POST_BUILD
    BYPRODUCTS ${labels_file}
    COMMAND ${CMAKE_COMMAND} -D "EXE=$<TARGET_FILE:${target}>" -D "TARGET=${target}" -D "OUT=${labels_file}"
            -D "LABELS=${T_LABELS}" -D "TAG_LABELS=${LATHE_TAG_LABELS}" -P ${LATHE_CATCH_LABELS_SCRIPT}
    VERBATIM)
  # Read after catch_discover_tests' own include file, so the tests exist by then.
  set(include_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_labels_include.cmake)
  file(WRITE ${include_file} "if(EXISTS \"${labels_file}\")\n  include(\"${labels_file}\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${include_file})
endfunction()

# lathe_test_properties(<test> TIMEOUT <seconds> LABELS <label>...): the same for a
# plain add_test entry.
function(lathe_test_properties test)
  cmake_parse_arguments(T "" "TIMEOUT" "LABELS;ENVIRONMENT" ${ARGN})
  if(NOT T_TIMEOUT OR NOT T_LABELS)
    message(FATAL_ERROR "lathe_test_properties(${test}): TIMEOUT and LABELS are required")
  endif()
  set_tests_properties(${test} PROPERTIES TIMEOUT ${T_TIMEOUT} LABELS "${T_LABELS}")
  if(T_ENVIRONMENT)
    set_tests_properties(${test} PROPERTIES ENVIRONMENT "${T_ENVIRONMENT}")
  endif()
endfunction()
