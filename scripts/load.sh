#!/usr/bin/env bash
# Load run of the demo (examples/blog) on each session store: for DURATION
# seconds, CONNS connections in all, half of them adding to carts
# (POST /cart/add/ID, CSRF token in X-CSRFToken) and half reading
# (GET /api/cart, GET /products?page=N), spread over SESSIONS guest
# sessions. Then it checks that
#   - no request failed (no non-2xx/3xx answer, no socket error),
#   - no write was lost: the carts hold every acknowledged add (and at most
#     the adds still in flight when wrk stopped on top),
#   - the demo's RSS stayed flat (end of the run against 5 s into it).
#
#   scripts/load.sh                         # sqlite, postgres and redis, 60 s, 64 connections
#   DURATION=20 scripts/load.sh redis       # shorter, one store
#
# Stores: sqlite (a file in $OUT), postgres ($TETHER_POSTGRES_DSN, a table
# of its own, dropped at the end), redis ($TETHER_REDIS_ADDR, a key prefix
# of its own, deleted at the end), and cookie, the control that shows the
# lost-write check at work (wrk resends each session's first cookie, so
# every add after it is lost). Needs wrk (Debian: apt-get install wrk),
# curl and python3 (for the JSON); psql and redis-cli for the cleanup.
# Raw output goes to $OUT (default: a new temporary directory). Exits 1 if a
# check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
CONNS=${CONNS:-64}
SESSIONS=${SESSIONS:-16}
PORT=${PORT:-18091}
OUT=${OUT:-$(mktemp -d)}
PG=${TETHER_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
REDIS=${TETHER_REDIS_ADDR:-127.0.0.1:6379}
stores=("$@")
[ ${#stores[@]} -gt 0 ] || stores=(sqlite postgres redis)
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "load.sh: needs $tool" >&2; exit 2; }
done

tag="load$$"
go build -o "$OUT/blog" ./examples/blog
url="http://127.0.0.1:$PORT"
half=$((CONNS / 2))
failed=0

rss() { ps -o rss= -p "$1" | tr -d ' '; } # KiB

dsn_for() {
  case $1 in
    sqlite) echo "sqlite:$OUT/$tag.db" ;;
    postgres) case $PG in *\?*) echo "$PG&table=tether_$tag" ;; *) echo "$PG?table=tether_$tag" ;; esac ;;
    redis) echo "redis://$REDIS/0?prefix=tether-$tag:" ;;
    cookie) echo "cookie:" ;; # the control: a client that resends its old cookie loses every add
    *) echo "load.sh: unknown store $1 (sqlite, postgres, redis, cookie)" >&2; exit 2 ;;
  esac
}

cleanup_store() {
  case $1 in
    postgres) psql -q "${PG%%\?*}" -c "DROP TABLE IF EXISTS tether_$tag" >/dev/null 2>&1 || echo "  (could not drop table tether_$tag)" ;;
    redis)
      host=${REDIS%:*} port=${REDIS##*:}
      redis-cli -h "$host" -p "$port" --scan --pattern "tether-$tag:*" | xargs -r -n 500 redis-cli -h "$host" -p "$port" DEL >/dev/null ;;
  esac
}

# sessions_lua writes the Lua table of the guest sessions: for each, a
# cookie jar is filled by GET /products (the CSRF cookie) and one add to
# the cart (the session cookie).
sessions_lua() {
  echo "sessions = {"
  for i in $(seq "$SESSIONS"); do
    jar="$OUT/jar-$1-$i"
    curl -sf -o /dev/null -c "$jar" -b "$jar" "$url/products"
    token=$(awk '$6 == "csrftoken" {print $7}' "$jar")
    curl -sf -o /dev/null -c "$jar" -b "$jar" -X POST -H "X-CSRFToken: $token" -H "Accept: application/json" "$url/cart/add/1"
    sid=$(awk '$6 == "sessionid" {print $7}' "$jar")
    [ -n "$token" ] && [ -n "$sid" ] || { echo "load.sh: no session for client $i" >&2; exit 1; }
    echo "  {cookie = \"sessionid=$sid; csrftoken=$token\", token = \"$token\"},"
  done
  echo "}"
}

cat >"$OUT/writes.lua" <<'LUA'
-- POST /cart/add/ID, rotating over the sessions and 50 products.
dofile(os.getenv("SESSIONS_LUA"))
local n = 0
request = function()
  n = n + 1
  local s = sessions[n % #sessions + 1]
  return wrk.format("POST", "/cart/add/" .. (n % 50 + 1),
    {["Cookie"] = s.cookie, ["X-CSRFToken"] = s.token, ["Accept"] = "application/json", ["Content-Length"] = "0"})
end
LUA
cat >"$OUT/reads.lua" <<'LUA'
-- GET /api/cart and GET /products?page=N, rotating over the sessions.
dofile(os.getenv("SESSIONS_LUA"))
local n = 0
request = function()
  n = n + 1
  local s = sessions[n % #sessions + 1]
  local path = "/api/cart"
  if n % 2 == 0 then path = "/products?page=" .. (n % 24 + 1) end
  return wrk.format("GET", path, {["Cookie"] = s.cookie})
end
LUA

printf '%-9s %9s %9s %8s %8s %7s %7s %9s %9s %s\n' store 'read r/s' 'write r/s' acked carts errors sockerr 'rss@5s' 'rss end' verdict
for store in "${stores[@]}"; do
  dsn=$(dsn_for "$store")
  (cd "$OUT" && exec ./blog -addr "127.0.0.1:$PORT" -store "$dsn") >"$OUT/$store-server.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "$url/" && break; sleep 0.1; done
  sessions_lua "$store" >"$OUT/sessions-$store.lua"
  export SESSIONS_LUA="$OUT/sessions-$store.lua"

  wrk -t1 -c"$half" -d"${DURATION}s" --timeout 5s -s "$OUT/writes.lua" "$url" >"$OUT/$store-writes.txt" &
  w=$!
  wrk -t1 -c"$half" -d"${DURATION}s" --timeout 5s -s "$OUT/reads.lua" "$url" >"$OUT/$store-reads.txt" &
  r=$!
  sleep 5
  rss_start=$(rss "$pid")
  sleep $((DURATION > 6 ? DURATION - 6 : 1))
  rss_end=$(rss "$pid")
  wait "$w" "$r"

  # Every add acknowledged by wrk is in a cart: the sum of the carts'
  # quantities, less the one add per session made at the start.
  carts=0
  for i in $(seq "$SESSIONS"); do
    q=$(curl -sf -b "$OUT/jar-$store-$i" "$url/api/cart" | python3 -c 'import json,sys; print(sum(json.load(sys.stdin)["items"].values()))')
    carts=$((carts + q - 1))
  done
  kill -TERM "$pid"; wait "$pid" || true
  cleanup_store "$store"

  # Figures from wrk's report (a line it leaves out counts 0).
  reqs() { awk '/requests in/ {n = $1} END {print n + 0}' "$1"; }
  non2xx() { awk '/Non-2xx or 3xx responses/ {n = $5} END {print n + 0}' "$1"; }
  sockerr() { awk '/Socket errors/ {gsub(",", ""); n = $4 + $6 + $8 + $10} END {print n + 0}' "$1"; }
  wfile="$OUT/$store-writes.txt" rfile="$OUT/$store-reads.txt"
  errors=$(( $(non2xx "$wfile") + $(non2xx "$rfile") ))
  socks=$(( $(sockerr "$wfile") + $(sockerr "$rfile") ))
  acked=$(( $(reqs "$wfile") - $(non2xx "$wfile") ))
  verdict=ok
  [ "$errors" -eq 0 ] || verdict="FAIL: $errors non-2xx/3xx"
  [ "$socks" -eq 0 ] || verdict="FAIL: $socks socket errors"
  [ "$carts" -ge "$acked" ] || verdict="FAIL: $((acked - carts)) acknowledged adds lost"
  [ "$carts" -le $((acked + half)) ] || verdict="FAIL: $((carts - acked)) adds more than acknowledged and in flight"
  [ "$rss_end" -le $((rss_start + rss_start / 4 + 16384)) ] || verdict="FAIL: RSS grew from $rss_start to $rss_end KiB"
  [ "$verdict" = ok ] || failed=1
  rps() { awk '/^Requests\/sec/ {printf "%d", $2}' "$1"; }
  printf '%-9s %9s %9s %8s %8s %7s %7s %8sM %8sM %s\n' "$store" "$(rps "$OUT/$store-reads.txt")" "$(rps "$OUT/$store-writes.txt")" \
    "$acked" "$carts" "$errors" "$socks" "$((rss_start / 1024))" "$((rss_end / 1024))" "$verdict"
done
echo "raw output: $OUT"
exit "$failed"
