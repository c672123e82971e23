#!/usr/bin/env bash
# The container image as a tested artefact, with a real engine (Debian's
# docker.io): build the repository's Dockerfile unchanged, run it, and check
# what an operator relies on:
#
#   - the chef stage needs no download outside the package registries
#     (cargo -V offline, in a folder holding rust-toolchain.toml);
#   - the image becomes healthy (its HEALTHCHECK), runs as uid 65532, answers
#     /readyz, REST and GraphQL, and logs JSON;
#   - `docker stop` exits 0 within the drain time;
#   - the embedded database in the /data volume survives `docker rm` and is
#     read by a new container on the same volume;
#   - docker-compose.yml brings Postgres and factline up healthy, published on
#     loopback only, takes a write with a key and reads it back; then down.
#
# dockerd is started when it is not running, and stopped afterwards. Base
# images that cannot be pulled are built locally first (standins.sh says
# which). Images and the build cache stay, so a second run on the same
# machine reuses the cargo-chef dependency layer.
#
#   tests/container/build-and-run.sh        # as root, from anywhere
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# Debian's client first: it builds with BuildKit without a buildx plugin, and
# docker-compose calls whichever `docker` comes first.
export PATH=/usr/bin:/usr/sbin:$PATH
docker=${DOCKER:-/usr/bin/docker}
export DOCKER=$docker DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1
run=factline-ci-$$
image=factline:ci
work=$(mktemp -d)

say() { printf 'container: %s\n' "$*"; }
fail() {
  printf 'container: FAILED: %s\n' "$*" >&2
  exit 1
}
now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

if "$docker" compose version >/dev/null 2>&1; then
  compose=("$docker" compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  fail "no compose: install Debian's docker-compose (or the compose plugin)"
fi

started_engine=""
cleanup() {
  set +e
  "$docker" rm -f "$run" "$run-2" >/dev/null 2>&1
  "$docker" volume rm "$run-data" >/dev/null 2>&1
  (cd "$repo" && "${compose[@]}" -p "${run//-/}" down -v --remove-orphans >/dev/null 2>&1)
  "$docker" image prune -f >/dev/null 2>&1
  if [ -n "$started_engine" ]; then
    kill "$started_engine" 2>/dev/null
    wait "$started_engine" 2>/dev/null
    say "dockerd stopped"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- the engine -------------------------------------------------------------
if ! "$docker" info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || fail "no dockerd: install Debian's docker.io"
  dockerd >"$work/dockerd.log" 2>&1 &
  started_engine=$!
  for _ in $(seq 1 60); do
    "$docker" info >/dev/null 2>&1 && break
    sleep 0.5
  done
  "$docker" info >/dev/null 2>&1 || { cat "$work/dockerd.log" >&2; fail "dockerd did not start"; }
  say "dockerd started ($("$docker" version -f '{{.Server.Version}}'), $("$docker" info -f '{{.Driver}}'))"
else
  say "dockerd already running ($("$docker" version -f '{{.Server.Version}}'))"
fi
bash "$repo/tests/container/standins.sh"

# --- the chef stage needs nothing from outside the registries ----------------
"$docker" build -q --target chef -t factline-chef:ci "$repo" >/dev/null
probe=(run --rm --network none -v "$repo/rust-toolchain.toml:/probe/rust-toolchain.toml:ro" -w /probe factline-chef:ci)
out=$("$docker" "${probe[@]}" cargo -V 2>&1) || fail "offline cargo -V in the chef stage: $out"
say "chef stage, --network none, beside rust-toolchain.toml: $out"
# The control: without the stage's RUSTUP_TOOLCHAIN the same command must
# reach for the network, or the check above would prove nothing.
if out=$("$docker" "${probe[@]}" env -u RUSTUP_TOOLCHAIN cargo -V 2>&1); then
  fail "without RUSTUP_TOOLCHAIN the chef stage answered offline too, so the check proves nothing: $out"
fi
say "control: without RUSTUP_TOOLCHAIN it tries to download ($(grep -o "could not download file from '[^']*'" <<<"$out" | head -n1))"

# --- build --------------------------------------------------------------------
t=$(now)
"$docker" build -q -t "$image" "$repo" >/dev/null
size=$("$docker" image inspect -f '{{.Size}}' "$image")
say "image built in $(since "$t") s: $image, $((size / 1000000)).$(((size % 1000000) / 100000)) MB"

# --- run on a named volume ----------------------------------------------------
healthy() { # container, timeout in s
  local s running
  for _ in $(seq 1 $(($2 * 2))); do
    read -r running s < <("$docker" inspect -f '{{.State.Running}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1")
    [ "$s" = healthy ] && return 0
    [ "$running" = true ] || break
    sleep 0.5
  done
  "$docker" logs "$1" 2>&1 | tail -n 20 >&2
  fail "$1 not healthy (health: $s)"
}
port_of() { "$docker" port "$1" 8080/tcp | head -n1; }
get() { curl -fsS --max-time 10 "$@"; }
create_source() { # address, key, slug, title: a source written by an editor's key
  local status
  status=$(curl -s -o "$work/created.json" -w '%{http_code}' -H "authorization: Bearer $2" \
    -H 'content-type: application/json' \
    -d "{\"slug\": \"$3\", \"title\": \"$4\", \"title_is_descriptive\": true,
         \"url\": \"https://example.org/$3\", \"language\": \"en\", \"kind\": \"other\"}" \
    "http://$1/v1/sources")
  [ "$status" = 201 ] || fail "POST http://$1/v1/sources: $status $(cat "$work/created.json")"
}
title_of() { # address, slug
  get "http://$1/v1/sources/$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["title"])'
}

"$docker" volume create "$run-data" >/dev/null
t=$(now)
"$docker" run -d --name "$run" -p 127.0.0.1::8080 -v "$run-data:/data" "$image" >/dev/null
healthy "$run" 120
say "healthy (its HEALTHCHECK) $(since "$t") s after docker run"
addr=$(port_of "$run")

uids=$("$docker" top "$run" -eo pid,uid,comm | awk 'NR > 1 {print $2 ":" $3}')
[ "$uids" = "65532:factline" ] || fail "processes in the container: $uids (wanted factline as 65532)"
say "runs as uid 65532 (docker top: $uids; image user $("$docker" image inspect -f '{{.Config.User}}' "$image"))"

[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$addr/readyz")" = 200 ] || fail "/readyz"
groups=$(get "http://$addr/v1/groups?limit=1" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["data"][0]["slug"])')
total=$(get -H 'content-type: application/json' -d '{"query":"{ groups(first: 1) { totalCount } }"}' \
  "http://$addr/graphql" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["groups"]["totalCount"])')
[ "$total" -gt 0 ] || fail "GraphQL counted $total groups"
say "/readyz 200; REST /v1/groups gave $groups; GraphQL counted $total groups"

# A write with a key, kept in /data/factline.db on the volume.
key=$("$docker" exec "$run" factline apikey create --role editor --name container-test 2>"$work/apikey.log" | tail -n1)
create_source "$addr" "$key" container-volume-probe "Volume probe"

"$docker" logs "$run" >"$work/logs" 2>&1
python3 - "$work/logs" <<'EOF' || fail "logs are not JSON lines"
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
assert lines, "no log lines"
records = [json.loads(l) for l in lines]
assert all(isinstance(r, dict) for r in records)
print(f"container: {len(records)} log lines, every one JSON (e.g. {sorted(records[0])[:4]})")
EOF

t=$(now)
"$docker" stop -t 30 "$run" >/dev/null
took=$(since "$t")
code=$("$docker" inspect -f '{{.State.ExitCode}}' "$run")
[ "$code" = 0 ] || fail "docker stop: exit code $code"
python3 -c "import sys; sys.exit(float(sys.argv[1]) >= 20)" "$took" || fail "docker stop took $took s (drain time 20 s)"
say "docker stop: exit code 0 in $took s (drain time 20 s)"

"$docker" rm "$run" >/dev/null
"$docker" run -d --name "$run-2" -p 127.0.0.1::8080 -v "$run-data:/data" "$image" >/dev/null
healthy "$run-2" 120
addr=$(port_of "$run-2")
[ "$(title_of "$addr" container-volume-probe)" = "Volume probe" ] || fail "the write did not survive docker rm"
say "after docker rm, a new container on the same volume reads the write back"
"$docker" rm -f "$run-2" >/dev/null

# --- compose: Postgres and factline -----------------------------------------
project=${run//-/}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cd "$repo"
t=$(now)
FACTLINE_PORT=$port "${compose[@]}" -p "$project" up -d --build >"$work/compose.log" 2>&1 \
  || { cat "$work/compose.log" >&2; fail "compose up"; }
declare -A ids
for service in postgres factline; do
  ids[$service]=$("${compose[@]}" -p "$project" ps -q "$service")
  [ -n "${ids[$service]}" ] || fail "compose: no $service container"
  healthy "${ids[$service]}" 180
done
say "compose up: postgres and factline healthy $(since "$t") s after compose up (${compose[*]})"
published=$(port_of "${ids[factline]}")
[ "$published" = "127.0.0.1:$port" ] || fail "compose publishes factline on $published, not on loopback"
key=$("${compose[@]}" -p "$project" exec -T factline factline apikey create --role editor --name compose-test 2>"$work/apikey.log" | tail -n1)
create_source "$published" "$key" compose-probe "Compose probe"
[ "$(title_of "$published" compose-probe)" = "Compose probe" ] || fail "compose: the write was not read back"
backend=$("${compose[@]}" -p "$project" exec -T postgres psql -U factline -d factline -tAc \
  "select count(*) from sources where slug = 'compose-probe'")
[ "$backend" = 1 ] || fail "compose: the write is not in Postgres ($backend)"
say "compose: published on $published only; a keyed write went into Postgres and was read back"
"${compose[@]}" -p "$project" down -v >/dev/null 2>&1
say "compose down; all checks passed"
