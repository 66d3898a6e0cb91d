#!/usr/bin/env bash
# Every test: install dependencies, build (release preset unless SHIKSHA_PRESET is set, e.g.
# asan), run all CTest suites, then the Python suite with Debian's python3-pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
preset=${SHIKSHA_PRESET:-release}
start=$(date +%s)
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
echo "build: $(( $(date +%s) - start )) s" >&2

ctest --preset "$preset" --label-exclude python
PYTHONPATH="build/$preset/bindings/python" /usr/bin/python3 -m pytest -q bindings/python/tests
