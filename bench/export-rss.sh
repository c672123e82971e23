#!/usr/bin/env bash
# Peak memory of `factline export` against database size: generates N targets
# (each with a name and a citation) beside the bundled dataset in a scratch
# Postgres database, exports every format, and prints the peak RSS of each.
# Constant memory means the figure does not grow with N.
#
#   bench/export-rss.sh [factline binary] [N ...]     (default: release binary, 10000 1000000)
#
# Uses the local Postgres (127.0.0.1:5432, user postgres); the scratch
# database factline_bench_export is dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/factline}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 1000000)
db=factline_bench_export
url="postgres://postgres@127.0.0.1:5432/$db"
psql_() { psql -q -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 "$@"; }
trap 'psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

for n in "${sizes[@]}"; do
  psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  DATABASE_URL="$url" "$bin" --log warn import >/dev/null
  started=$(date +%s)
  psql_ -d "$db" >/dev/null <<SQL
INSERT INTO targets (id, slug, created_at, updated_at, version, name, kind, country, sector)
SELECT md5('t' || i)::uuid, 'gen-target-' || lpad(i::text, 8, '0'), now(), now(), 1,
       'Generated target ' || i, 'company', 'US', 'generated'
FROM generate_series(1, $n) AS i;
INSERT INTO names (id, target_id, lang, text, kind, position, search_key)
SELECT md5('n' || i)::uuid, md5('t' || i)::uuid, 'en', 'Generated target ' || i, 'primary', 0,
       'generated target ' || i
FROM generate_series(1, $n) AS i;
INSERT INTO citations (id, source_id, target_id, quote, position)
SELECT md5('c' || i)::uuid, (SELECT id FROM sources ORDER BY slug LIMIT 1), md5('t' || i)::uuid,
       'generated quote ' || i, 0
FROM generate_series(1, $n) AS i;
ANALYZE;
SQL
  echo "N=$n generated targets (+254 bundled records) in $(( $(date +%s) - started )) s"
  for format in ndjson json stix; do
    out="$(mktemp)"
    /usr/bin/time -f "%M %e" -o "$out.time" \
      env DATABASE_URL="$url" "$bin" --log warn export --format "$format" --output "$out" 2>/dev/null
    read -r kb secs < "$out.time"
    printf 'EXPORT n=%s format=%s records=%s bytes=%s peak_rss_mb=%.1f seconds=%s\n' \
      "$n" "$format" "$(( n + 254 ))" "$(stat -c %s "$out")" "$(echo "$kb / 1024" | bc -l)" "$secs"
    rm -f "$out" "$out.time"
  done
done
