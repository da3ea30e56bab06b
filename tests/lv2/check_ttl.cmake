# SPDX-License-Identifier: MIT
# sord_validate over the LV2 schemas and the bundle's Turtle: fails on any error or
# warning in its report, as well as on its exit status.
file(GLOB bundle_ttl ${BUNDLE}/*.ttl)
list(LENGTH bundle_ttl n)
if(n LESS 5)
  message(FATAL_ERROR "expected manifest.ttl, lathe.ttl and the presets in ${BUNDLE}, found ${n} files")
endif()
execute_process(COMMAND ${SORD_VALIDATE} ${SCHEMAS} ${bundle_ttl}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0 OR "${out}${err}" MATCHES "error:|warning:" OR NOT "${out}${err}" MATCHES "Found 0 errors")
  message(FATAL_ERROR "sord_validate found problems in ${BUNDLE}")
endif()
