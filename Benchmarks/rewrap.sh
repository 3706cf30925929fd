#!/usr/bin/env bash
# Re-wrapping `count` organisations' data keys under a new master key: `bifrost keys rotate` (the whole command:
# process start, migration check, key check, the re-wrap in batches of 500, each its own transaction) against a
# Python baseline doing the same work in-process (asyncpg + cryptography's AESGCM, same queries and batches, see
# rewrap_bench.py), taking turns on one PostgreSQL (the embedded cluster of one `bifrost serve`). Every round
# rotates to a fresh master key, so each run re-wraps all `count` keys. Medians of `rounds`, and the ratio.
# Usage: Benchmarks/rewrap.sh [path/to/bifrost] [count] [rounds]   (defaults: .build/release/bifrost 10000 3;
#        build first: swift build -c release --product bifrost; installs asyncpg and cryptography with pip)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
binary="$(realpath "${1:-$repo/.build/release/bifrost}")"
count="${2:-10000}"
rounds="${3:-3}"
python3 -c "import asyncpg, cryptography" 2>/dev/null || python3 -m pip install -q asyncpg cryptography
bench="python3 $repo/Benchmarks/rewrap_bench.py"
source "$repo/Benchmarks/common.sh"

dsn=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print("postgresql://{username}:{password}@127.0.0.1:{port}/bifrost".format(**s))' "$work/.bifrost/database.json")
database_url=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))
print("postgres://{username}:{password}@127.0.0.1:{port}/bifrost?sslmode=disable".format(**s))' "$work/.bifrost/database.json")
keys="$(tr -d '\n' < "$work/.bifrost/keys/master.key")"
# The server has registered its key as master version 1; seed the organisations' data keys under it.
curl -fs -o /dev/null -H "Authorization: Bearer $jwt" "$base/api/admin/keys"
$bench seed "$dsn" "$keys" "$count"
new_key() { python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())'; }
now() { date +%s.%N; }

: >"$work/times.txt"
for round in $(seq "$rounds"); do
  next=$(new_key)
  current="${keys##*,}"
  start=$(now)
  BIFROST_DATABASE_URL="$database_url" BIFROST_MASTER_KEY="$next" BIFROST_PREVIOUS_MASTER_KEYS="${keys}" \
    BIFROST_LOG_LEVEL=error "$binary" keys rotate >"$work/rotate.out"
  end=$(now)
  tail -1 "$work/rotate.out" | grep -q "re-wrapped $count now" || { cat "$work/rotate.out" >&2; exit 1; }
  echo "bifrost $(python3 -c "print($end - $start)")" >>"$work/times.txt"
  keys="$keys,$next"

  next=$(new_key)
  start=$(now)
  $bench rewrap "$dsn" "$keys,$next" 500 >"$work/python.out"
  end=$(now)
  grep -q "re-wrapped $count " "$work/python.out" || { cat "$work/python.out" >&2; exit 1; }
  echo "python $(python3 -c "print($end - $start)")" >>"$work/times.txt"
  keys="$keys,$next"
done
python3 - "$work/times.txt" "$count" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, seconds = line.split()
    times.setdefault(name, []).append(float(seconds))
count = int(sys.argv[2])
for name, values in times.items():
    median = statistics.median(values)
    print(f"{name:8} re-wrap {count} data keys: {median:.3f} s median ({', '.join(f'{v:.3f}' for v in values)}), "
          f"{median / count * 1e6:.1f} us per key")
print(f"ratio (python time / bifrost time): {statistics.median(times['python']) / statistics.median(times['bifrost']):.2f}")
PY
