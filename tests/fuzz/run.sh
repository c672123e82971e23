#!/usr/bin/env bash
# Property-based fuzzing of a running factline with schemathesis: every REST
# route from /openapi.json (writes included, with an editor key), then the
# GraphQL API from its introspected schema. The server runs on a fresh
# Postgres database of its own, seeded with the bundled dataset, with rate
# limits off. Any server error, or any response the document does not allow,
# fails the run.
#
#   tests/fuzz/run.sh target/debug/factline [examples per operation]
set -euo pipefail
bin=$(realpath "${1:?usage: run.sh <factline binary> [examples]}")
examples=${2:-${FUZZ_EXAMPLES:-50}}
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/target/fuzz-venv"
schemathesis_version=4.32.5

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

admin=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db="factline_fuzz_$$"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
case "$base" in http://127.0.0.1:*) ;; *) echo "refusing to fuzz $base" >&2; exit 1 ;; esac
work=$(mktemp -d)
server=""
cleanup() {
  local rc=$?
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -s "$work/serve.log" ]; then
    echo "-- the server's log ends:" >&2
    tail -n 40 "$work/serve.log" >&2
  fi
  if [ -n "${FUZZ_KEEP_LOG:-}" ] && [ -f "$work/serve.log" ]; then cp "$work/serve.log" /tmp/fuzz-serve.log; fi
  psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
export DATABASE_URL="${admin%/*}/$db"
FACTLINE_BIND="127.0.0.1:$port" FACTLINE_LOG_FORMAT=json \
  "$bin" --log warn serve > "$work/serve.log" 2>&1 &
server=$!

for _ in $(seq 1 150); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null

key=$("$bin" --log warn apikey create --role editor --name schemathesis | tail -n1)
admin_key=$("$bin" --log warn apikey create --role admin --name schemathesis-import | tail -n1)

# Schemathesis keeps a cache of what it found in its working directory.
mkdir -p "$root/target/fuzz-report"
cd "$root/target/fuzz-report"

status=0
# fuzz <report> <schema location> <key> [more schemathesis options]: one
# bounded, seeded run; a failure marks the whole script failed.
fuzz() {
  local report=$1 location=$2 auth=$3
  shift 3
  # A hard ceiling on top of the example count, so a stuck run cannot hold CI.
  timeout 1200 "$venv/bin/schemathesis" --config-file "$root/tests/fuzz/schemathesis.toml" run "$location" \
    --header "Authorization: Bearer $auth" \
    --max-examples "$examples" \
    --request-timeout 20 \
    --seed 20261126 \
    --generation-database none \
    --no-color \
    --report junit --report-dir "$root/target/fuzz-report/$report" \
    "$@" || status=1
}
# Every check, the server as deployed (rate limits on); schemathesis.toml
# chooses the checks and says what the document cannot, rest_hooks.py makes
# cursors real. No `--checks` here: the command line outranks the file's
# per-operation settings. config_check.py fails the run before any request
# if the file is not read as meant.
"$venv/bin/python" "$root/tests/fuzz/config_check.py" "$root/tests/fuzz/schemathesis.toml" "$base/openapi.json"
# The client keeps under the per-IP read limit (50/s, burst 100), so that
# most requests reach the handlers; writes above their own limit (10/s per
# key) get the documented 429.
rest_checks=(--rate-limit 45/s)

# One worker each: with two, Hypothesis's lambda descriptions call ast.parse
# from two threads at once, which CPython 3.11 can fail with "SystemError: AST
# constructor recursion depth mismatch" (seen once in CI, inside schemathesis,
# before any request was sent).
echo "-- REST: $base/openapi.json, $examples examples per operation, editor key"
FUZZ_BASE="$base" SCHEMATHESIS_HOOKS="$root/tests/fuzz/rest_hooks.py" \
  fuzz rest "$base/openapi.json" "$key" "${rest_checks[@]}" --exclude-path /v1/import --workers 1

echo "-- REST: POST /v1/import, admin key"
FUZZ_BASE="$base" SCHEMATHESIS_HOOKS="$root/tests/fuzz/rest_hooks.py" \
  fuzz import "$base/openapi.json" "$admin_key" "${rest_checks[@]}" --include-path /v1/import --workers 1

echo "-- GraphQL: $base/graphql, $examples examples per field, editor key"
SCHEMATHESIS_HOOKS="$root/tests/fuzz/graphql_hooks.py" \
  fuzz graphql "$base/graphql" "$key" --checks no_internal_error --rate-limit 45/s --workers 1

# The server must have logged no internal error while being fuzzed.
if grep -q '"level":"ERROR"\|panicked' "$work/serve.log"; then
  echo "the server logged errors:" >&2
  grep -A3 '"level":"ERROR"\|panicked' "$work/serve.log" | head -n 40 >&2
  status=1
fi
exit "$status"
