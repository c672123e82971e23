#!/usr/bin/env bash
# Real clients against a running factline (embedded SQLite, bundled data):
# graphql-core checks that schema.graphql is what the server introspects;
# frictionless validates every collection's data dictionary and CSV as it is
# served, and the row counts must be the collection's totals; taxii2-client
# and stix2 read the TAXII collection (last: it edits a record).
#
#   tests/clients/run.sh target/debug/factline
set -euo pipefail
bin=$(realpath "${1:?usage: run.sh <factline binary>}")
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/target/clients-venv"
# Pinned: what CI has checked.
packages=("graphql-core==3.2.6" "frictionless==5.21.0" "taxii2-client==2.3.0" "stix2==3.0.2")
stamp="$venv/.installed-$(printf '%s ' "${packages[@]}" | sha256sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
  touch "$stamp"
fi

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
case "$base" in http://127.0.0.1:*) ;; *) echo "refusing $base" >&2; exit 1 ;; esac
(cd "$work" && exec env FACTLINE_BIND="127.0.0.1:$port" FACTLINE_NO_RATE_LIMIT=1 "$bin" --log warn serve) \
  > "$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 150); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { cat "$work/serve.log" >&2; exit 1; }

"$venv/bin/python" "$root/tests/clients/schema_matches_introspection.py" "$base" "$root/schema.graphql"
"$venv/bin/python" "$root/tests/clients/frictionless_collections.py" "$base"
# An editor's key, made in the server's own SQLite database.
key=$(cd "$work" && "$bin" --log warn apikey create --role editor --name "taxii client" | tail -n1)
"$venv/bin/python" "$root/tests/clients/taxii.py" "$base" "$key"
