# SPDX-License-Identifier: MIT
# Fails if a checked-in generated file differs from what the build generated.
# -DPAIRS="checked-in=generated;..."
foreach(pair ${PAIRS})
  string(REPLACE "=" ";" files ${pair})
  list(GET files 0 checked_in)
  list(GET files 1 generated)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${checked_in} ${generated} RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "${checked_in} differs from ${generated}: copy the generated file over it")
  endif()
endforeach()
