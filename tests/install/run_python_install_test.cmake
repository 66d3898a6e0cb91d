# Installs only the `python` component into a scratch prefix and imports the package from
# an unrelated directory with PYTHONPATH=<prefix>/lib/python3/dist-packages, checking that the
# module, its stubs and the PEP 561 marker are the installed ones. Invoked by CTest (install).
set(work "${BUILD_DIR}/install-test-python")
file(REMOVE_RECURSE "${work}")
execute_process(COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --component python --prefix "${work}/prefix"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "cmake --install --component python failed: ${rc}")
endif()
set(site "${work}/prefix/lib/python3/dist-packages")
foreach(f shiksha/__init__.py shiksha/__init__.pyi shiksha/py.typed)
  if(NOT EXISTS "${site}/${f}")
    message(FATAL_ERROR "${f} was not installed into ${site}")
  endif()
endforeach()
# The python component is only the package: no headers or library came with it.
if(EXISTS "${work}/prefix/include")
  message(FATAL_ERROR "the python component installed more than the package")
endif()

file(MAKE_DIRECTORY "${work}/elsewhere")
set(script [=[
import pathlib, sys, tempfile
import shiksha
site = pathlib.Path(sys.argv[1]).resolve()
assert pathlib.Path(shiksha.__file__).resolve().parent == site / "shiksha", shiksha.__file__
assert pathlib.Path(shiksha._shiksha.__file__).resolve().parent == site / "shiksha"
with tempfile.TemporaryDirectory() as d:
    p = shiksha.Platform(shiksha.Config(d, workers=2))
    c = p.clusters.create(name="Installed package cluster", region_type="Rural", language="Hindi",
                          infrastructure_constraints="Low")
    print("imported", shiksha.__version__, "from", site, "cluster", c.id, p.schema_version)
]=])
file(WRITE "${work}/check_import.py" "${script}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env "PYTHONPATH=${site}" PYTHONDONTWRITEBYTECODE=1
                        ${PYTHON} "${work}/check_import.py" "${site}"
                WORKING_DIRECTORY "${work}/elsewhere"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc OR NOT out MATCHES "^imported [0-9.]+ from .* cluster 1 [0-9]+")
  message(FATAL_ERROR "import shiksha from the install prefix failed (${rc}):\n${out}${err}")
endif()
message(STATUS "${out}")
