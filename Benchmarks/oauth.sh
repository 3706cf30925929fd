#!/usr/bin/env bash
# The OAuth broker: a cached `token(_:for:)` per call (p50/p99) against a Mutex-guarded dictionary lookup, and
# 1,000 concurrent callers on an expired token (provider answering after 50 ms) against one token request to the
# same provider. Runs against the loopback provider of the tests and a PostgreSQL the project's scripts start.
# Usage: Benchmarks/oauth.sh [batches] [rounds]   (builds the oauth-bench product in release)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$repo" && swift build -c release --product oauth-bench >/dev/null)
"$repo/.build/release/oauth-bench" "${1:-2000}" "${2:-5}"
