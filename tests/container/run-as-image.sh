#!/usr/bin/env bash
# Runs a factline binary the way the container image does, without an
# engine (quick, and checks what build-and-run.sh cannot: the healthcheck
# failing once the server is gone): only the image's environment (FACTLINE_BIND on
# 0.0.0.0, FACTLINE_LOG_FORMAT=json, no DATABASE_URL), as a numeric non-root
# user, in an empty working directory; then `factline healthcheck` must pass,
# and must fail once the server is gone.
#
#   tests/container/run-as-image.sh target/release/factline
set -euo pipefail
bin=$(realpath "${1:?usage: run-as-image.sh <factline binary>}")
uid=65532
work=$(mktemp -d)
cp "$bin" "$work/factline"
mkdir "$work/data"
chown -R "$uid:$uid" "$work/data"
chmod 755 "$work" "$work/factline"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_image() {
  # setpriv: the image's numeric user, no supplementary groups, nothing inherited.
  (cd "$work/data" && exec setpriv --reuid="$uid" --regid="$uid" --clear-groups \
    env -i PATH=/usr/bin:/bin FACTLINE_BIND="0.0.0.0:$port" FACTLINE_LOG_FORMAT=json "$work/factline" "$@")
}

# Started directly (not through the function) so $! is factline itself.
(cd "$work/data" && exec setpriv --reuid="$uid" --regid="$uid" --clear-groups \
  env -i PATH=/usr/bin:/bin FACTLINE_BIND="0.0.0.0:$port" FACTLINE_LOG_FORMAT=json "$work/factline" serve) \
  > "$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

ok=""
for _ in $(seq 1 100); do
  if as_image healthcheck --timeout-ms 500 >/dev/null 2>&1; then ok=1; break; fi
  sleep 0.1
done
if [ -z "$ok" ]; then
  echo "healthcheck never passed; server log:" >&2
  cat "$work/serve.log" >&2
  exit 1
fi
as_image healthcheck
# Bound to all interfaces, as in the image.
grep -q "0.0.0.0:$port" "$work/serve.log" || { echo "not bound to 0.0.0.0" >&2; cat "$work/serve.log" >&2; exit 1; }
# Logs are JSON lines.
head -n1 "$work/serve.log" | python3 -c 'import json,sys; json.loads(sys.stdin.readline())'
# The database file belongs to the non-root user.
[ "$(stat -c %u "$work/data/factline.db")" = "$uid" ] || { echo "factline.db not owned by $uid" >&2; exit 1; }

# Prometheus metrics answer on the same port, counting the requests so far.
python3 - "$port" <<'PY'
import sys, urllib.request
body = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
assert 'factline_http_requests_total{' in body and 'route="/readyz"' in body, body[:2000]
PY

kill -TERM "$server"
wait "$server" || { echo "serve did not exit 0 on SIGTERM" >&2; exit 1; }
if as_image healthcheck --timeout-ms 500 >/dev/null 2>&1; then
  echo "healthcheck passed with no server" >&2
  exit 1
fi
echo "run-as-image ok: non-root uid $uid, 0.0.0.0:$port, JSON logs, healthcheck passes, /metrics answers, SIGTERM exits 0, healthcheck fails after"
