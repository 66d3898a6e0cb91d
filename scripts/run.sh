#!/usr/bin/env bash
# The main job: install dependencies, build (release), run the demo pipeline, then serve the
# API on http://127.0.0.1:8000 until Ctrl-C. Data lives in ./shiksha-data (SHIKSHA_DATA_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/bootstrap.sh
cmake --preset release >/dev/null
cmake --build --preset release

shiksha=build/release/server/shiksha
"$shiksha" demo
# --dev: a JWT secret is generated in the data directory when SHIKSHA_JWT_SECRET is unset,
# and the demo accounts (public passwords) may log in. Never use --dev for a deployment.
exec "$shiksha" serve --dev
