#!/usr/bin/env bash
# Import speed: a generated tier (bench/generate.py, fixed seed) loaded
# through factline's own import path (`factline import FILE`: validation, one
# transaction) into a fresh Postgres database. Prints the rows written
# (records, names, texts, links, tactics, citations, revisions) and rows/s.
#
#   bench/import.sh [tier] [factline binary]     (default: S, target/release/factline)
#
# Uses the local Postgres (127.0.0.1:5432, user postgres); the scratch
# database factline_bench_import is dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
tier="${1:-S}"
bin="${2:-target/release/factline}"
db=factline_bench_import
url="postgres://postgres@127.0.0.1:5432/$db"
case "$url" in postgres://postgres@127.0.0.1:*) ;; *) echo "refusing $url" >&2; exit 1 ;; esac
work=$(mktemp -d)
psql_() { PGOPTIONS="-c client_min_messages=warning" psql -q -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@"; }
trap 'psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

python3 bench/generate.py --tier "$tier" > "$work/data.json"
psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
DATABASE_URL="$url" "$bin" --log warn migrate >/dev/null
started=$(date +%s.%N)
DATABASE_URL="$url" /usr/bin/time -f "%M" -o "$work/rss" "$bin" --log warn import "$work/data.json" >/dev/null
ended=$(date +%s.%N)
rows=$(psql_ -d "$db" -At -c "
  SELECT (SELECT count(*) FROM sources) + (SELECT count(*) FROM groups) + (SELECT count(*) FROM targets)
       + (SELECT count(*) FROM operations) + (SELECT count(*) FROM legal_outcomes)
       + (SELECT count(*) FROM names) + (SELECT count(*) FROM texts)
       + (SELECT count(*) FROM operation_groups) + (SELECT count(*) FROM operation_targets)
       + (SELECT count(*) FROM operation_tactics) + (SELECT count(*) FROM citations)
       + (SELECT count(*) FROM revisions)")
python3 - "$tier" "$rows" "$started" "$ended" "$(cat "$work/rss")" <<'PY'
import sys
tier, rows, started, ended, rss = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
seconds = ended - started
print(f"IMPORT tier={tier} rows={rows} seconds={seconds:.2f} rows_per_s={rows / seconds:.0f} peak_rss_mb={rss / 1024:.1f}")
PY
