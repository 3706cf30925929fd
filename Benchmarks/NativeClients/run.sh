#!/bin/sh
# Measures what blocking libpq and libcurl cost against PostgresNIO and AsyncHTTPClient (README, "Why PostgresNIO
# and AsyncHTTPClient"): 1,000 concurrent 2-second waits each way, threads and memory from /proc, and the shared
# libraries linking libpq and libcurl would add. Run as root on Debian with postgresql, libpq-dev and
# libcurl4-openssl-dev installed; the Swift side is a debug build of its own (about 11 min the first time).
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=${WORK:-/tmp/bifrost-native-clients}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$work/pg" && chown postgres:postgres "$work/pg"
[ -d "$work/pg/data" ] || runuser -u postgres -- "$PGBIN/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" \
  -o "-p 55432 -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=1200 -c shared_buffers=32MB" -w start
cd "$work"
gcc -O2 -Wall -o pq_bench "$here/pq_bench.c" -I"$(pg_config --includedir)" -lpq -lpthread
gcc -O2 -Wall -o curl_bench "$here/curl_bench.c" -lcurl -lpthread
python3 "$here/slow_http.py" 47613 2 & HTTP=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1', 47613), 1)" 2>/dev/null; do :; done
ulimit -n 20000
./pq_bench serial 10 0.2; ./pq_bench threads 10 0.2
for m in threads async; do /usr/bin/time -f "$m: wall %e user %U sys %S maxRSS %M KiB" ./pq_bench $m 1000 2; done
./curl_bench handles 1000
for m in threads multi; do
  /usr/bin/time -f "$m: wall %e user %U sys %S maxRSS %M KiB" ./curl_bench $m 1000 http://127.0.0.1:47613/ 2
done
(cd "$here/nio" && swift build -j 1 && ./.build/debug/niobench pg 1000 2 \
  && ./.build/debug/niobench http 1000 2 http://127.0.0.1:47613/)
gcc -o pq_only "$here/empty.c" -Wl,--no-as-needed -lpq; gcc -o curl_only "$here/empty.c" -Wl,--no-as-needed -lcurl
"$here/libs.sh" pq_only; "$here/libs.sh" curl_only
gcc -static -o pq_static "$here/pq_static.c" -I"$(pg_config --includedir)" $(pkg-config --libs --static libpq) 2>&1 \
  | grep -o 'cannot find -l[a-z0-9_]*' | sort -u || true
kill $HTTP
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg/data" -m fast -w stop
