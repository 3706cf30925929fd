#!/usr/bin/env bash
# A newcomer's path, timed: copy the starter out of the repository, build it cold (its own .build, as a fresh copy
# has), run one of its workflows, then change one line of a workflow and time rebuild + run again (the inner loop).
# Usage: Benchmarks/starter.sh [work-folder]. Needs the Debian packages scripts/install-dependencies installs.
set -euo pipefail
repository=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/bifrost-starter-XXXXXX)}
cp -R "$repository/Templates/Starter" "$work/starter"
rm -rf "$work/starter/.build"
cd "$work/starter"
export BIFROST_PATH="$repository"
input='{"email":"ada@example.com","office":"lon"}'
seconds() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }

start=$(seconds)
swift build --product my-bifrost >/dev/null
built=$(seconds)
.build/debug/my-bifrost workflows run onboard_user --input "$input" >/dev/null 2>"$work/first-run.log"
ran=$(seconds)
grep -q "info: Creating ada in lon" "$work/first-run.log"

sed -i 's/Creating \\(account)/Creating account \\(account)/' Sources/Workflows/OnboardUser.swift
again=$(seconds)
swift build --product my-bifrost >/dev/null
.build/debug/my-bifrost workflows run onboard_user --input "$input" >/dev/null 2>"$work/second-run.log"
done_=$(seconds)
grep -q "info: Creating account ada in lon" "$work/second-run.log"

python3 - "$start" "$built" "$ran" "$again" "$done_" <<'PY'
import sys
start, built, ran, again, done = map(float, sys.argv[1:])
print(f"cold build of the starter: {built - start:.1f} s")
print(f"first run (embedded database created): {ran - built:.1f} s")
print(f"one-line change, rebuild and run: {done - again:.1f} s")
PY
