# SPDX-License-Identifier: MIT
# Regenerates the tables and fails if any checked-in file differs.
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${GEN} ${OUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gen_tables failed: ${rc}")
endif()
foreach(t log2_frac exp2_frac tp_fir tp_hann4 tp_hann2 tp_ref32 tp_ref32_fold)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${SRC}/${t}.hex ${OUT}/${t}.hex RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "tables/${t}.hex differs from the generator's output: rerun lathe-gen-tables tables")
  endif()
endforeach()
