# Bifrost: the `bifrost` binary on a slim Ubuntu base. How to run it in production is in docs/deployment.md.
# Not built where it was written (no container engine there); see "Not run here" in docs/deployment.md.

# ---- Build stage ---------------------------------------------------------------------------------------------
# The official Swift image on Ubuntu 24.04 (noble). Package.swift needs tools 6.2.
FROM swift:6.2-noble AS build

# COpenSSL is a system-library target over the system OpenSSL (`pkg-config openssl`): it needs the headers and
# pkg-config at build time.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libssl-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Resolve dependencies first, in a layer of its own that is reused while the manifest does not change.
# Package.resolved is not committed (it is in .gitignore): pin to it only when the build context has one.
COPY ./Package.* ./
RUN swift package resolve $([ -f ./Package.resolved ] && echo "--force-resolved-versions" || true)

COPY . .

# Only the server binary. --static-swift-stdlib links the Swift runtime and Foundation into it, so the run stage
# needs no Swift libraries. Migrations, policies, the OpenAPI contract and the OAuth provider catalogue are
# compiled into the binary, so nothing else is copied out of this stage.
RUN swift build -c release --product bifrost --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/bifrost" /staging/bifrost

# ---- Run stage -----------------------------------------------------------------------------------------------
# The same Ubuntu release as the builder, so the glibc the binary was linked against is the one it finds.
FROM ubuntu:noble

# What the binary still loads at run time:
# - libssl3t64 (Ubuntu 24.04's name for libssl3): libssl.so.3 and libcrypto.so.3, for COpenSSL (encryption,
#   hashing, randomness).
# - ca-certificates: TLS to PostgreSQL (sslmode=prefer/require verifies the server's certificate) and to
#   identity and OAuth providers uses the system trust store (/etc/ssl/certs).
# libz, libstdc++ and libgcc_s are part of the base image. Not needed: libcurl (nothing imports
# FoundationNetworking), libxml2 (nothing imports FoundationXML), tzdata (cron schedules and log times are UTC).
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libssl3t64 ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# A non-root account with a fixed uid, so that Kubernetes' runAsNonRoot can check it. Its home is the working
# directory: `data.directory` (.bifrost) is relative to it, and the gateway writes there only when no
# `auth.signingKeyFile` is configured (it then generates a signing key once).
RUN groupadd --system --gid 10001 bifrost \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/bifrost --create-home \
        --shell /usr/sbin/nologin bifrost

COPY --from=build /staging/bifrost /usr/local/bin/bifrost

WORKDIR /var/lib/bifrost
USER 10001:10001

# The gateway listens on 127.0.0.1 by default (`http.host`); in a container it must listen on every address.
ENV BIFROST_HTTP_HOST=0.0.0.0
EXPOSE 8080

# bifrost runs as PID 1: it handles SIGTERM and SIGINT itself (graceful shutdown), and with an external database
# it starts no child process, so no init is needed. No HEALTHCHECK: orchestrators probe /health/live and
# /health/ready.
ENTRYPOINT ["bifrost"]
CMD ["serve"]
