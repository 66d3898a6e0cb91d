# Installs the build tree into a scratch prefix, builds examples/find_package against it with
# find_package(Shiksha), and runs the result. Invoked by CTest (label: install).
set(work "${BUILD_DIR}/install-test")
file(REMOVE_RECURSE "${work}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${work}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
# A sanitized libshiksha needs the sanitizer runtime in the consumer too.
set(flags "")
if(SANITIZE)
  set(flags "-fsanitize=${SANITIZE}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S "${SOURCE_DIR}/examples/find_package" -B "${work}/build" -G Ninja
                        -DCMAKE_PREFIX_PATH=${work}/prefix -DCMAKE_BUILD_TYPE=Release
                        "-DCMAKE_CXX_FLAGS=${flags}" "-DCMAKE_EXE_LINKER_FLAGS=${flags}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "configuring the consumer failed:\n${out}\n${err}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build "${work}/build" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "building the consumer failed:\n${out}\n${err}")
endif()
execute_process(COMMAND "${work}/build/consumer" "${work}/data" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc OR NOT out MATCHES "^shiksha [0-9.]+ schema [0-9]+ clusters 0")
  message(FATAL_ERROR "the consumer failed (${rc}): ${out}${err}")
endif()
message(STATUS "consumer: ${out}")

# The installed `shiksha` finds the sample manual installed beside it (share/shiksha), with no
# path into the source or build tree: moved to another directory, it still does.
if(EXISTS "${work}/prefix/bin/shiksha")
  file(RENAME "${work}/prefix" "${work}/moved")
  execute_process(COMMAND ${CMAKE_COMMAND} -E env SHIKSHA_PASSWORD_HASH_COST=minimum
                          "${work}/moved/bin/shiksha" --data-dir "${work}/demo-data" demo
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc OR NOT out MATCHES "manual #1 'Low-Cost Science Handbook' indexed: 8 pages")
    message(FATAL_ERROR "the installed shiksha did not ingest its sample manual (${rc}):\n${out}${err}")
  endif()
endif()
