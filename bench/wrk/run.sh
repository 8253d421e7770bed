#!/usr/bin/env bash
# Load runs with wrk against cmd/loadserver, one library at a time, on
# loopback only: for each, 10 s of GET /read and 10 s of POST /incr with the
# seeded session's cookie, then GET /count. Run from bench/:
#
#   bash wrk/run.sh                 # tether scs gorilla
#   bash wrk/run.sh tether-redis scs-redis gorilla-fs tether-cookie
#
# Raw wrk output goes to $OUT (default a new temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}
libs=("$@")
[ ${#libs[@]} -gt 0 ] || libs=(tether scs gorilla)

go build -o "$OUT/loadserver" ./cmd/loadserver
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }

printf '%-15s %12s %12s %10s %10s\n' lib 'read req/s' 'incr req/s' 'incr reqs' counter
for lib in "${libs[@]}"; do
  rm -f "$OUT/cookie"
  # -stop-after: the server exits by itself even if this script dies.
  "$OUT/loadserver" -lib "$lib" -port "$PORT" -stop-after 60s -cookie-file "$OUT/cookie" \
    >"$OUT/$lib-server.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do [ -s "$OUT/cookie" ] && break; sleep 0.1; done
  cookie=$(cat "$OUT/cookie")
  url=http://127.0.0.1:$PORT
  wrk -t2 -c32 -d10s -H "Cookie: $cookie" "$url/read" >"$OUT/$lib-read.txt"
  wrk -t2 -c32 -d10s -s wrk/post.lua -H "Cookie: $cookie" "$url/incr" >"$OUT/$lib-incr.txt"
  count=$(curl -s -H "Cookie: $cookie" "$url/count")
  kill "$pid"
  wait "$pid" || true
  reqs=$(awk '/requests in/ {print $1}' "$OUT/$lib-incr.txt")
  printf '%-15s %12s %12s %10s %10s\n' "$lib" "$(rps "$OUT/$lib-read.txt")" "$(rps "$OUT/$lib-incr.txt")" "$reqs" "$count"
  if grep -q -e Non-2xx -e 'Socket errors' "$OUT/$lib-read.txt" "$OUT/$lib-incr.txt"; then
    echo "  $lib: errors, see $OUT/$lib-*.txt"
  fi
done
echo "raw output: $OUT"
