# shiksha_set_warnings(<target>): the project's warning set, applied to our own targets only
# (dependency headers are included as SYSTEM so their warnings never fail our build).
# -Wnull-dereference is left out on purpose: at -O2 it fires inside inlined Boost.Asio
# scheduler code, where nothing of ours can be changed.
function(shiksha_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wimplicit-fallthrough
    -Wno-missing-field-initializers)
  # GCC 12 reports impossible overlaps in libstdc++'s own std::string concatenation at -O2/-O3
  # (GCC bug 105329, fixed in 13): a false positive in library code we cannot change.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(SHIKSHA_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
