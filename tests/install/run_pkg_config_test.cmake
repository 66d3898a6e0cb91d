# Installs the build tree into a scratch prefix and compiles examples/search_manuals with
# nothing but `pkg-config --cflags --libs --static shiksha` against it (no CMake package),
# then runs the program on the installed sample manual. Invoked by CTest (label: install).
set(work "${BUILD_DIR}/install-test-pkg-config")
file(REMOVE_RECURSE "${work}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${work}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
file(GLOB pc_file "${work}/prefix/lib*/pkgconfig/shiksha.pc" "${work}/prefix/lib/*/pkgconfig/shiksha.pc")
if(NOT pc_file)
  message(FATAL_ERROR "shiksha.pc was not installed under ${work}/prefix")
endif()
get_filename_component(pc_dir "${pc_file}" DIRECTORY)
set(ENV{PKG_CONFIG_PATH} "${pc_dir}")

execute_process(COMMAND pkg-config --cflags --libs --static shiksha
                RESULT_VARIABLE rc OUTPUT_VARIABLE flags ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
if(rc)
  message(FATAL_ERROR "pkg-config --static shiksha failed: ${err}")
endif()
# The flags point into the scratch prefix (the .pc file is relocatable), not the build tree.
if(NOT flags MATCHES "-I${work}/prefix/lib[^ ]*/pkgconfig/\\.\\./\\.\\./include" AND NOT flags MATCHES "-I${work}/prefix/include")
  message(FATAL_ERROR "pkg-config does not point into the prefix: ${flags}")
endif()
execute_process(COMMAND pkg-config --variable=sample_manual shiksha
                OUTPUT_VARIABLE sample OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT EXISTS "${sample}")
  message(FATAL_ERROR "the sample manual is not where shiksha.pc says: ${sample}")
endif()

separate_arguments(flag_list UNIX_COMMAND "${flags}")
set(sanitize "")
if(SANITIZE)
  set(sanitize "-fsanitize=${SANITIZE}")
endif()
execute_process(COMMAND ${CXX} -std=c++23 -O1 ${sanitize} -o "${work}/search_manuals"
                        "${SOURCE_DIR}/examples/search_manuals/search_manuals.cpp" ${flag_list}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "compiling with pkg-config's flags failed:\n${CXX} ... ${flags}\n${out}\n${err}")
endif()

get_filename_component(sample_dir "${sample}" DIRECTORY)
execute_process(COMMAND "${work}/search_manuals" "${work}/data" "${sample_dir}" "lemon battery"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc OR NOT out MATCHES "indexed: low_cost_science_handbook \\(8 pages" OR NOT out MATCHES "\\? lemon battery\n  low_cost")
  message(FATAL_ERROR "the pkg-config build failed to run (${rc}):\n${out}${err}")
endif()
message(STATUS "pkg-config build: ${out}")
