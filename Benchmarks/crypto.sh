#!/usr/bin/env bash
# Encrypt + decrypt of a 256-byte secret with a cached key: BifrostCrypto (AES-256-GCM through the system OpenSSL's
# EVP interface, fresh random nonce, associated data) against Python's `cryptography` AESGCM on this machine, in
# one run, each the median of several rounds, and the ratio.
# Usage: Benchmarks/crypto.sh [count] [rounds]   (builds the crypto-bench product in release; installs
#        cryptography with pip if missing)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
count="${1:-100000}"
rounds="${2:-5}"
python3 -c "import cryptography" 2>/dev/null || python3 -m pip install -q cryptography
(cd "$repo" && swift build -c release --product crypto-bench >/dev/null)
swift_line=$("$repo/.build/release/crypto-bench" "$count" "$rounds")
python_line=$(python3 - "$count" "$rounds" <<'PY'
import os, statistics, sys, time
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
count, rounds = int(sys.argv[1]), int(sys.argv[2])
aead = AESGCM(AESGCM.generate_key(bit_length=256))
secret = os.urandom(256)
context = b"bifrost:secret:organization:0f3c:graph_client_secret:data-key-v1"
times = []
for _ in range(rounds):
    start = time.perf_counter_ns()
    for _ in range(count):
        nonce = os.urandom(12)
        sealed = aead.encrypt(nonce, secret, context)
        assert len(aead.decrypt(nonce, sealed, context)) == 256
    times.append((time.perf_counter_ns() - start) / count)
print("python cryptography seal+open 256 B: %.0f ns per pair (median of %d rounds of %d)" % (statistics.median(times), rounds, count))
PY
)
echo "$swift_line"
echo "$python_line"
python3 - "$swift_line" "$python_line" <<'PY'
import re, sys
ours, theirs = (float(re.search(r": (\d+) ns", line).group(1)) for line in sys.argv[1:3])
print(f"ratio (python time / bifrost time): {theirs / ours:.2f}")
PY
