#!/usr/bin/env bash
# The operator console, measured against one `bifrost serve` (embedded database):
#   1. page weight and time to first render of the workflows page, in headless Chromium: a cold first view (new
#      browser profile, signed in) and a warm one (reload), `rounds` times each, medians;
#   2. the execution history with 1,000 and then 100,000 runs of one organisation: the latency of the pages the
#      console asks for (first page, a page 10 pages deep by cursor, filtered by status, by workflow, and every
#      organisation's runs for a platform admin), with the rows PostgreSQL read for each (EXPLAIN ANALYZE): paged
#      reads stay flat when the table grows a hundredfold.
# Usage: Benchmarks/console.sh [path/to/bifrost] [rounds]
#        (build first: swift build -c release --product bifrost; needs chromium and chromium-driver, which
#        scripts/install-dependencies installs)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
rounds="${2:-5}"
seconds=1
connections=1
source "$repo/Benchmarks/common.sh"

database_url=$(python3 - "$work/.bifrost/database.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
print(f"postgresql://{state['username']}:{state['password']}@127.0.0.1:{state['port']}/bifrost")
PY
)
python3 "$repo/Benchmarks/console_bench.py" --base "$base" --database "$database_url" --organization "$org" \
  --key "$key" --email bench@example.com --password 'benchmark password' --rounds "$rounds" \
  --assets "$repo/Sources/BifrostGateway/Resources/Console"
