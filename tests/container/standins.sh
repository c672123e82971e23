#!/usr/bin/env bash
# Makes sure the base images the Dockerfile and docker-compose.yml name are
# present in the local engine. An image already there is used as it is; one
# that can be pulled is pulled; otherwise (no registry is reachable, as on
# the machines CI runs on) a local stand-in is built from what the package
# registries give, and labelled org.factline.standin so a later run can say
# what it is using:
#
#   debian:bookworm                        debootstrap (minbase) from deb.debian.org
#   rust:1.95-bookworm                     debian:bookworm + gcc, and this machine's own
#                                          Rust 1.95.0 with the minimal profile
#                                          (rustc, cargo, rust-std), as the official image
#   gcr.io/distroless/cc-debian12:nonroot  the distroless cc packages unpacked with
#                                          dpkg -x, user nonroot (65532), no shell
#   postgres:16                            debian:bookworm + Debian's postgresql (15),
#                                          with an entrypoint that reads POSTGRES_USER,
#                                          POSTGRES_PASSWORD and POSTGRES_DB
#
# Nothing here changes the Dockerfile or the compose file: the stand-ins take
# the official names. Used by build-and-run.sh; needs root and a running engine.
#
#   tests/container/standins.sh            # all four
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
docker=${DOCKER:-/usr/bin/docker}
mirror=${FACTLINE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
rust_version=1.95.0
label=org.factline.standin
# This machine's own trust anchors (its egress to the package registries
# passes a TLS proxy with a local CA): the Rust stand-in carries them, as an
# operator behind such a proxy adds them to a base image, and is rebuilt when
# they change.
local_cas=$(find /usr/local/share/ca-certificates -name '*.crt' 2>/dev/null | sort)
cas_sum=$( (for f in $local_cas; do cat "$f"; done) | sha256sum | cut -c1-16)

say() { printf 'standins: %s\n' "$*"; }

# present NAME: 0 when the engine has it (and says what it is), 1 when it has
# not, 2 when it has a stand-in made with other local CAs than this machine's.
present() {
  local what cas
  what=$("$docker" image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null) || return 1
  cas=$("$docker" image inspect -f "{{index .Config.Labels \"$label.cas\"}}" "$1")
  if [ -n "$cas" ] && [ "$cas" != "$cas_sum" ]; then
    say "$1: local stand-in made with other local CAs; building it again"
    return 2
  fi
  if [ -n "$what" ]; then
    say "$1: local stand-in from an earlier run ($what)"
  else
    say "$1: present"
  fi
}

pulled() {
  if timeout 60 "$docker" pull -q "$1" >/dev/null 2>&1; then
    say "$1: pulled"
  else
    say "$1: cannot be pulled here; building a local stand-in"
    return 1
  fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

debian() {
  local root=$tmp/debian
  debootstrap --variant=minbase --components=main bookworm "$root" "$mirror" >"$tmp/debootstrap.log" 2>&1 \
    || { tail -n 20 "$tmp/debootstrap.log" >&2; return 1; }
  # The official image's sources: the release, its updates and security.
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | "$docker" import \
    --change 'CMD ["bash"]' \
    --change "LABEL $label=\"debootstrap bookworm minbase\"" \
    - debian:bookworm >/dev/null
  rm -rf "$root"
  say "debian:bookworm: built by debootstrap"
}

rust() {
  # The machine's toolchain, copied whole, then cut to the minimal profile
  # the official image has: rustfmt and clippy absent is what makes a
  # rust-toolchain.toml asking for them trigger a download.
  local ctx=$tmp/rust src
  src=$(rustc +$rust_version --print sysroot)
  mkdir -p "$ctx/rustup/toolchains" "$ctx/cargo/bin"
  cp -a "$src/." "$ctx/rustup/toolchains/$rust_version-x86_64-unknown-linux-gnu"
  printf 'version = "12"\ndefault_toolchain = "%s-x86_64-unknown-linux-gnu"\nprofile = "minimal"\nauto_self_update = "disable"\n' \
    "$rust_version" >"$ctx/rustup/settings.toml"
  cp "$(command -v rustup)" "$ctx/cargo/bin/rustup"
  for c in rustfmt clippy rust-docs rust-src rust-analyzer llvm-tools; do
    RUSTUP_HOME=$ctx/rustup "$ctx/cargo/bin/rustup" component remove --toolchain $rust_version "$c" \
      >/dev/null 2>&1 || true # absent already
  done
  mkdir -p "$ctx/local-ca"
  for f in $local_cas; do cp "$f" "$ctx/local-ca/"; done
  for p in cargo rustc rustdoc rust-gdb rust-lldb rust-gdbgui cargo-fmt cargo-clippy rustfmt clippy-driver; do
    ln -s rustup "$ctx/cargo/bin/$p"
  done
  cat >"$ctx/Dockerfile" <<EOF
FROM debian:bookworm
COPY local-ca/ /usr/local/share/ca-certificates/
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates curl git gcc libc6-dev make pkg-config libssl-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY rustup /usr/local/rustup
COPY cargo /usr/local/cargo
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo \\
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    RUST_VERSION=$rust_version
RUN rustc -V && cargo -V
LABEL $label="debian:bookworm + this machine's Rust $rust_version, minimal profile" $label.cas=$cas_sum
EOF
  DOCKER_BUILDKIT=1 "$docker" build -q -t rust:1.95-bookworm "$ctx" >/dev/null
  rm -rf "$ctx"
  say "rust:1.95-bookworm: built from debian:bookworm and this machine's Rust $rust_version"
}

distroless() {
  # What gcr.io/distroless/cc-debian12 holds: base-files, netbase, tzdata,
  # the CA bundle, glibc, libssl, libgcc, libgomp, libstdc++; no shell.
  local root=$tmp/distroless debs=$tmp/debs
  mkdir -p "$root" "$debs"
  chmod 755 "$tmp"
  chmod 777 "$debs" # apt-get download fetches as _apt
  (cd "$debs" && apt-get download -q base-files netbase tzdata ca-certificates libc6 libssl3 \
    libgcc-s1 libgomp1 libstdc++6 >/dev/null)
  for d in "$debs"/*.deb; do dpkg -x "$d" "$root"; done
  # ca-certificates' bundle is made by its maintainer script; make it here.
  mkdir -p "$root/etc/ssl/certs"
  cat "$root"/usr/share/ca-certificates/mozilla/*.crt >"$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/share/lintian" "$root/usr/share/locale"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
    >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$root/etc/group"
  mkdir -p "$root/home/nonroot" "$root/tmp" "$root/root"
  chown 65532:65532 "$root/home/nonroot"
  chmod 1777 "$root/tmp"
  [ -e "$root/bin" ] || ln -s usr/bin "$root/bin"
  [ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
  [ -e "$root/lib64" ] || ln -s usr/lib64 "$root/lib64"
  tar -C "$root" -c . | "$docker" import \
    --change 'USER 65532' \
    --change 'WORKDIR /home/nonroot' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change "LABEL $label=\"dpkg -x of the distroless cc packages\"" \
    - gcr.io/distroless/cc-debian12:nonroot >/dev/null
  say "gcr.io/distroless/cc-debian12:nonroot: assembled with dpkg -x"
}

postgres() {
  local ctx=$tmp/postgres
  mkdir -p "$ctx"
  cp "$here/postgres-entrypoint.sh" "$ctx/"
  cat >"$ctx/Dockerfile" <<EOF
FROM debian:bookworm
RUN apt-get update \\
    && apt-get install -y --no-install-recommends postgresql \\
    && rm -rf /var/lib/apt/lists/* \\
    && mkdir -p /var/lib/postgresql/data && chown postgres:postgres /var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
STOPSIGNAL SIGINT
EXPOSE 5432
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
LABEL $label="debian:bookworm + Debian's postgresql 15"
EOF
  DOCKER_BUILDKIT=1 "$docker" build -q -t postgres:16 "$ctx" >/dev/null
  rm -rf "$ctx"
  say "postgres:16: built from debian:bookworm and Debian's postgresql (15)"
}

# ensure NAME BUILDER: present, else pulled, else built here. The builder
# runs outside any condition, so that errexit stops it at its first failure.
ensure() {
  local rc=0
  present "$1" || rc=$?
  if [ $rc = 1 ] && pulled "$1"; then return; fi
  if [ $rc != 0 ]; then "$2"; fi
}
ensure debian:bookworm debian
ensure rust:1.95-bookworm rust
ensure gcr.io/distroless/cc-debian12:nonroot distroless
ensure postgres:16 postgres
