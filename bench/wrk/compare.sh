#!/usr/bin/env bash
# One loadserver process serving several Apps side by side (under /NAME),
# and wrk on each in turn, ROUNDS times (A B C A B C ...), so that every
# App is measured under the same server flags and the same machine load.
# Prints each round's requests per second, then per App the median, its
# ratio to the first App's median, and the median of the server's CPU time
# per request (user + system of the loadserver process over the wrk run,
# divided by the requests wrk completed: unlike requests per second, it
# hardly depends on what else the machine runs), and the heap bytes and
# objects the server allocated per request in the last round (the
# loadserver's /_allocs: the same whatever the machine runs). Run from
# bench/:
#
#   bash wrk/compare.sh read                 # GET /read: bare tether-mem tether-mem-sealed scs-mem
#   bash wrk/compare.sh untouched            # GET /untouched, the same Apps
#   bash wrk/compare.sh page                 # GET /page: /read with a Content-Type, the same Apps
#   bash wrk/compare.sh new                  # POST /create without a cookie: a new session each
#   bash wrk/compare.sh hot                  # POST /incr on one session: bare, Redis and PostgreSQL Apps
#   bash wrk/compare.sh read bare tether-mem # other Apps (the first is the reference)
#
# For "hot", /count is read after each App's last round and compared with
# the number of increments wrk completed over all rounds (up to the number
# of connections more is exact: requests still in flight when wrk stops).
# Environment: ROUNDS (3), DURATION (10s), CONNS (32), THREADS (2), PORT
# (18080), PROFILE (a file: the server's CPU profile of the whole run),
# OUT (raw output; default a new temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-read}
shift || true
libs=("$@")
case $mode in
  read | untouched | page)
    path=/$mode method=()
    [ ${#libs[@]} -gt 0 ] || libs=(bare tether-mem tether-mem-sealed scs-mem)
    ;;
  new)
    path=/create method=(-s wrk/post.lua)
    [ ${#libs[@]} -gt 0 ] || libs=(bare tether-mem scs-mem tether-cookie gorilla-cookie)
    ;;
  hot)
    path=/incr method=(-s wrk/post.lua)
    [ ${#libs[@]} -gt 0 ] || libs=(bare tether-redis scs-redis tether-pg scs-pg)
    ;;
  *) echo "usage: $0 read|untouched|page|new|hot [APP ...]" >&2; exit 2 ;;
esac

ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10s} CONNS=${CONNS:-32} THREADS=${THREADS:-2}
PORT=${PORT:-18080}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT/cookies"

go build -o "$OUT/loadserver" ./cmd/loadserver
joined=$(IFS=,; echo "${libs[*]}")
profile=()
[ -z "${PROFILE:-}" ] || profile=(-cpuprofile "$PROFILE")
# -stop-after: the server exits by itself even if this script dies.
"$OUT/loadserver" -lib "$joined" -port "$PORT" -stop-after 30m -cookie-dir "$OUT/cookies" \
  -redis "${TETHER_REDIS_ADDR:-127.0.0.1:6379}" \
  -postgres "${TETHER_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}" \
  "${profile[@]}" >"$OUT/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$OUT/cookies/${libs[-1]}" ] && break; sleep 0.1; done
url=http://127.0.0.1:$PORT
for lib in "${libs[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $(cat "$OUT/cookies/$lib")" "$url/$lib/read")
  [ "$code" = 200 ] || { echo "$lib: GET /$lib/read answered $code" >&2; cat "$OUT/server.log" >&2; exit 1; }
done

echo "mode $mode, $ROUNDS rounds of wrk -t$THREADS -c$CONNS -d$DURATION, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
# The server's CPU time (user + system, all threads) in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  for lib in "${libs[@]}"; do
    f=$OUT/$lib-$mode-$round.txt
    before=$(ticks)
    allocs_before=$(curl -s "$url/_allocs")
    cookie=(-H "Cookie: $(cat "$OUT/cookies/$lib")")
    [ "$mode" != new ] || cookie=() # every request a first visit
    wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" "${method[@]}" "${cookie[@]}" "$url/$lib$path" >"$f"
    # Server CPU per request (µs): what the App costs whatever else the
    # machine runs, unlike requests per second.
    awk -v t=$(($(ticks) - before)) -v hz="$hz" '/requests in/ {printf "%.2f\n", t / hz * 1e6 / $1}' "$f" >"$f.cpu"
    # Heap allocation per request (bytes and objects; the two /_allocs
    # calls add a few hundred bytes in all).
    read -r b0 o0 <<<"$allocs_before"
    read -r b1 o1 <<<"$(curl -s "$url/_allocs")"
    awk -v b=$((b1 - b0)) -v o=$((o1 - o0)) '/requests in/ {printf "%.0f %.1f\n", b / $1, o / $1}' "$f" >"$f.allocs"
    if grep -q -e Non-2xx -e 'Socket errors' "$f"; then line+=" $lib=$(rps "$f")(ERRORS)"; else line+=" $lib=$(rps "$f")"; fi
  done
  echo "$line"
done

printf '%-20s %12s %10s %14s %10s %8s' app 'median req/s' "vs ${libs[0]}" 'server CPU/req' 'B/req' 'allocs'
[ "$mode" != hot ] || printf ' %12s %10s' increments counter
echo
ref=
for lib in "${libs[@]}"; do
  med=$(for r in $(seq "$ROUNDS"); do rps "$OUT/$lib-$mode-$r.txt"; done | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  [ -n "$ref" ] || ref=$med
  cpu=$(for r in $(seq "$ROUNDS"); do cat "$OUT/$lib-$mode-$r.txt.cpu"; done | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  read -r bytes objs <"$OUT/$lib-$mode-$ROUNDS.txt.allocs"
  printf '%-20s %12.0f %10.2f %11.1f µs %10s %8s' "$lib" "$med" "$(awk -v a="$med" -v b="$ref" 'BEGIN {print a/b}')" "$cpu" "$bytes" "$objs"
  if [ "$mode" = hot ]; then
    total=$(for r in $(seq "$ROUNDS"); do awk '/requests in/ {print $1}' "$OUT/$lib-$mode-$r.txt"; done | awk '{s+=$1} END {print s}')
    counter=$(curl -s -H "Cookie: $(cat "$OUT/cookies/$lib")" "$url/$lib/count")
    # Every counter starts at 0: seeding (POST /create) does not touch it.
    printf ' %12s %10s' "$total" "$counter"
  fi
  echo
done
kill "$pid"
wait "$pid" 2>/dev/null || true
trap - EXIT
echo "raw output: $OUT"
