#!/usr/bin/env bash
# Headline figure: authenticated cluster-list throughput of `shiksha serve` against the
# requirements' stack (FastAPI + uvicorn + SQLAlchemy ORM + PyJWT) on the same SQLite data,
# both measured here, now, with the same load generator (wrk, 64 connections, 2 threads).
# Prints requests/s, latency percentiles and the ratio. Loopback only.
#
#   benchmarks/http_clusters.sh [seconds-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10}

peer_packages=(wrk python3-fastapi python3-uvicorn python3-sqlalchemy python3-jwt)
missing=()
for p in "${peer_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/bootstrap.sh
cmake --preset release >/dev/null && cmake --build --preset release >/dev/null
shiksha=$PWD/build/release/server/shiksha

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

export SHIKSHA_DATA_DIR=$work/data SHIKSHA_JWT_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export SHIKSHA_RATE_LIMIT_PER_MINUTE=0 SHIKSHA_LOG_LEVEL=warn
"$shiksha" demo >/dev/null
for i in $(seq 1 47); do
  "$shiksha" cluster create --name "Benchmark Cluster $i" --region-type Rural --language Marathi \
    --infrastructure Low --key-issues "Large classes, no lab, shared devices ($i)" >/dev/null
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return 0; sleep 0.05; done; return 1; }

p1=$(free_port)
"$shiksha" serve --dev --port "$p1" --threads 2 >/dev/null 2>&1 &
pids+=($!)
wait_up "$p1"
token=$(curl -s -X POST "http://127.0.0.1:$p1/api/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"admin@shiksha-setu.gov.in","password":"admin123"}' | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

p2=$(free_port)
/usr/bin/python3 benchmarks/peers/fastapi_clusters.py "$work/data/shiksha.db" "$p2" >/dev/null 2>&1 &
pids+=($!)
wait_up "$p2"

# Both must return the same 50 clusters before anything is timed.
n1=$(curl -s "http://127.0.0.1:$p1/api/clusters/?limit=50" -H "Authorization: Bearer $token" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
n2=$(curl -s "http://127.0.0.1:$p2/api/clusters/?limit=50" -H "Authorization: Bearer $token" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n1" = 50 ] && [ "$n2" = 50 ] || { echo "setup failed: shiksha returned $n1, peer $n2 clusters" >&2; exit 1; }

measure() { # port path -> "rps p50 p99"
  wrk -t2 -c64 -d"${duration}s" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$1$2" |
    awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {print rps, p50, p99}'
}

printf '%-28s %12s %10s %10s\n' "workload" "req/s" "p50" "p99"
for path in "/api/clusters/?limit=50" "/health"; do
  read -r r1 a1 b1 < <(measure "$p1" "$path")
  read -r r2 a2 b2 < <(measure "$p2" "$path")
  printf '%-28s %12s %10s %10s\n' "shiksha $path" "$r1" "$a1" "$b1"
  printf '%-28s %12s %10s %10s\n' "fastapi $path" "$r2" "$a2" "$b2"
  printf '%-28s %12.1fx\n' "ratio (shiksha/fastapi)" "$(awk -v a="$r1" -v b="$r2" 'BEGIN {print a / b}')"
done
