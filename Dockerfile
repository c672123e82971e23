# factline: multi-stage build. The dependency layer is cached by cargo-chef;
# the runtime image is distroless (glibc, no shell, no curl) and runs as a
# numeric non-root user. The HEALTHCHECK uses the binary itself.

FROM rust:1.95-bookworm AS chef
# rust-toolchain.toml (copied in with the sources) asks for rustfmt and
# clippy, which the image's minimal toolchain lacks: rustup would download
# them from outside the package registries at the first cargo command.
# Naming the toolchain here overrides the file; the build needs neither.
ENV RUSTUP_TOOLCHAIN=1.95.0
# npm fetches the GraphQL playground's pinned assets during the build (build.rs).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
RUN cargo install cargo-chef --locked --version 0.1.78
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --release --recipe-path recipe.json
COPY . .
RUN cargo build --release --bin factline \
    && mkdir -p /data

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=builder /src/target/release/factline /usr/local/bin/factline
COPY --from=builder --chown=65532:65532 /data /data
WORKDIR /data
USER 65532:65532
ENV FACTLINE_BIND=0.0.0.0:8080 \
    FACTLINE_LOG_FORMAT=json
EXPOSE 8080
# The embedded SQLite database (./factline.db, the working directory): a
# volume, so it outlives the container. A bind mount must be writable by 65532.
VOLUME /data
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/factline", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/factline"]
CMD ["serve"]
