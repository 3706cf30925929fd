#!/usr/bin/env bash
# One partner connection serving many organisations, each with its own Microsoft tenant: tokens per second on a
# cold start (every organisation asking on two replicas at once) against the same requests sent straight to the
# provider, provider requests per tenant, a cached token per call, memory per cached tenant, and how the
# refresh-ahead splits the tenants between two replicas. Runs against the loopback identity platform of the tests
# and a PostgreSQL the project's scripts start.
# Usage: Benchmarks/oauth-tenants.sh [organisations] [rounds]   (builds the oauth-bench product in release)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
(cd "$repo" && swift build -c release --product oauth-bench >/dev/null)
"$repo/.build/release/oauth-bench" tenants "${1:-1000}" "${2:-3}"
