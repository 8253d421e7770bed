#!/usr/bin/env bash
# Load runs with wrk against cmd/csrfserver, one CSRF middleware at a time,
# on loopback only. For each library: start the server (which seeds one
# client and writes its headers), check with curl that the returning
# client's POST gets 200, the same POST without the token 403 (token
# libraries) and a cross-site POST 403 (all), then 10 s of GET /form (a
# same-origin navigation: Cookie, Sec-Fetch-Site) and 10 s of POST /form
# (a same-origin fetch: Cookie, the token header, Origin, Sec-Fetch-Site;
# empty body). Run from bench/:
#
#   bash wrk/csrf_run.sh            # all five
#   bash wrk/csrf_run.sh tether-csrf nosurf
#
# Raw wrk output goes to $OUT (default a new temporary directory). Exits 1
# if a check failed or a measured run had a non-2xx answer or socket errors.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-18090}
DURATION=${DURATION:-10s}
OUT=${OUT:-$(mktemp -d)}
libs=("$@")
[ ${#libs[@]} -gt 0 ] || libs=(tether-csrf tether-csrf-headeronly gorilla-csrf nosurf stdlib-cop)

go build -o "$OUT/csrfserver" ./cmd/csrfserver
url=http://127.0.0.1:$PORT/form
rps() { awk '/^Requests\/sec/ {print $2}' "$1"; }
reqs() { awk '/requests in/ {print $1}' "$1"; }
# wrk prints these lines only when the count is not zero.
non2xx() { awk '/Non-2xx/ {n=$NF} END {print n+0}' "$1"; }
sockerr() { grep -q 'Socket errors' "$1" && echo yes || echo no; }
status() { curl -s -o "$OUT/body" -w '%{http_code}' "$@"; }

pid=
cleanup() { [ -z "$pid" ] || { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; }
trap cleanup EXIT

failed=0
rows=()
for lib in "${libs[@]}"; do
  hf=$OUT/$lib-headers.txt
  rm -f "$hf"
  # -stop-after: the server exits by itself even if this script dies.
  "$OUT/csrfserver" -lib "$lib" -port "$PORT" -stop-after 60s -headers-file "$hf" \
    >"$OUT/$lib-server.log" 2>&1 &
  pid=$!
  for _ in $(seq 50); do [ -s "$hf" ] && curl -s -o /dev/null "$url" && break; sleep 0.1; done

  post=() get=() notoken=() forged=()
  while IFS= read -r line; do
    post+=(-H "$line")
    case $line in
      Cookie:*) get+=(-H "$line") notoken+=(-H "$line") forged+=(-H "$line") ;;
      Sec-Fetch-Site:*) get+=(-H "$line") notoken+=(-H "$line") ;;
      Origin:*) notoken+=(-H "$line") ;;
    esac
  done <"$hf"
  has_token=no
  grep -qi '^x-csrf' "$hf" && has_token=yes

  # The checks, before measuring.
  ok=yes
  c=$(status "${get[@]}" "$url"); [ "$c" = 200 ] || { echo "$lib: GET /form answered $c" >&2; ok=no; }
  c=$(status -X POST "${post[@]}" "$url"); [ "$c" = 200 ] || { echo "$lib: good POST answered $c: $(cat "$OUT/body")" >&2; ok=no; }
  want=200; [ $has_token = yes ] && want=403
  c=$(status -X POST "${notoken[@]}" "$url"); [ "$c" = $want ] || { echo "$lib: POST without token answered $c, want $want" >&2; ok=no; }
  c=$(status -X POST "${forged[@]}" -H "Origin: http://evil.example" -H "Sec-Fetch-Site: cross-site" "$url")
  [ "$c" = 403 ] || { echo "$lib: cross-site POST answered $c, want 403" >&2; ok=no; }
  if [ $ok = no ]; then
    failed=1
    cleanup; pid=
    continue
  fi

  wrk -t2 -c32 -d"$DURATION" "${get[@]}" "$url" >"$OUT/$lib-get.txt"
  wrk -t2 -c32 -d"$DURATION" -s wrk/post.lua "${post[@]}" "$url" >"$OUT/$lib-post.txt"
  cleanup; pid=

  g=$OUT/$lib-get.txt p=$OUT/$lib-post.txt
  bad=$(( $(non2xx "$g") + $(non2xx "$p") ))
  se=no; [ "$(sockerr "$g")" = yes ] || [ "$(sockerr "$p")" = yes ] && se=yes
  [ $bad -eq 0 ] && [ $se = no ] || failed=1
  rows+=("$(printf '%-24s %12s %12s %10s %10s %8s %7s' "$lib" "$(rps "$g")" "$(rps "$p")" \
    "$(reqs "$g")" "$(reqs "$p")" "$bad" "$se")")
done

printf '%-24s %12s %12s %10s %10s %8s %7s\n' lib 'GET req/s' 'POST req/s' 'GET reqs' 'POST reqs' non-2xx sockerr
for r in "${rows[@]}"; do echo "$r"; done
echo "raw output: $OUT"
exit $failed
