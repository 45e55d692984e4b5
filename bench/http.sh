#!/usr/bin/env bash
# bench/http.sh — requests/second of ggzyd's minimal authenticated JSON route
# (GET /api/v1/me with a Bearer token) next to a bare libmicrohttpd handler (bench/bare_mhd.c),
# measured in the same run on the same machine with wrk: same thread count, same transport,
# keep-alive connections. Runs alternate (bare, ggzyd, bare, ggzyd, ...) so drift on a shared
# machine hits both; the script prints each run, the medians and their ratio.
#
# Then (unless --no-sweep) a thread-model sweep: a route that queries the database
# (GET /api/v1/users/{id}) at several http.threads values, to size the pool (docs/operations.md).
#
# usage: scripts/dev bench http [--runs N] [--seconds S] [--connections C] [--threads T] [--no-sweep]
# Needs the private MariaDB (scripts/dev bench starts it) and the release build.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=5 SECS=5 CONNS=64 THREADS=2 SWEEP=1
while (($#)); do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --seconds) SECS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --no-sweep) SWEEP=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN=$ROOT/build/release
VAR=$ROOT/var
SOCK=$VAR/mariadb/mysqld.sock
WORK=$(mktemp -d)
DB=ggzy_bench_$$
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  MYSQL_PWD=$(cat "$VAR/mariadb/admin.password") mariadb --no-defaults -S "$SOCK" -u ggzy_admin \
    -e "DROP DATABASE IF EXISTS $DB" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
MYSQL_PWD=$(cat "$VAR/mariadb/admin.password") mariadb --no-defaults -S "$SOCK" -u ggzy_admin \
  -e "CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"

conf() { # conf FILE THREADS TLS
  cat > "$1" <<CONF
http.port = 0
http.tls = $3
http.threads = $2
http.cert = $VAR/certs/server.crt
http.key = $VAR/certs/server.key
db.socket = $SOCK
db.password = $(cat "$VAR/mariadb/ggzy.password")
db.name = $DB
db.pool_size = $(( $2 > 16 ? $2 : 16 ))
migrations.dir = $ROOT/migrations
api.openapi = $ROOT/docs/openapi.json
calendar.dir = $ROOT/calendar
experts.specialties = $ROOT/data/expert-specialties.tsv
deposits.rates = $ROOT/data/deposit-rates.tsv
http.per_ip_connections = 0
web.root = $ROOT/web
auth.scrypt_log2n = 12
CONF
}

start_ggzyd() { # start_ggzyd THREADS TLS -> sets GPORT, GPID
  conf "$WORK/g.conf" "$1" "$2"
  rm -f "$WORK/port"
  "$BIN/ggzyd" -c "$WORK/g.conf" --port-file "$WORK/port" 2>>"$WORK/ggzyd.log" &
  GPID=$!; PIDS+=("$GPID")
  for _ in $(seq 1 200); do [[ -s $WORK/port ]] && break; sleep 0.05; done
  GPORT=$(cat "$WORK/port")
}

stop_pid() { kill -TERM "$1"; wait "$1" 2>/dev/null || true; }

rps() { # rps URL [HEADER] -> requests/second
  local out
  if [[ -n ${2:-} ]]; then
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "$2" "$1")
  else
    out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$1")
  fi
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk saw errors: $out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

conf "$WORK/g.conf" 2 on
"$BIN/ggzyd" -c "$WORK/g.conf" migrate 2>/dev/null
GGZY_ADMIN_PASSWORD=bench-password-1 "$BIN/ggzyd" -c "$WORK/g.conf" bootstrap-admin >/dev/null 2>&1

compare() { # compare SCHEME TLS
  local scheme=$1 tls=$2 bare_args=() b g
  start_ggzyd "$THREADS" "$tls"
  local tok
  tok=$(curl -sf --cacert "$VAR/certs/ca.crt" "$scheme://localhost:$GPORT/api/v1/auth/login" \
        -H 'Content-Type: application/json' -d '{"username":"admin","password":"bench-password-1"}' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  [[ $tls == on ]] && bare_args=("$VAR/certs/server.crt" "$VAR/certs/server.key")
  local bport=$(( 20000 + RANDOM % 20000 ))
  "$BIN/bench_bare" "$bport" "$THREADS" "${bare_args[@]}" 2>>"$WORK/bare.log" & local bpid=$!; PIDS+=("$bpid")
  sleep 0.3
  rps "$scheme://localhost:$bport/" >/dev/null   # warm-up
  rps "$scheme://localhost:$GPORT/api/v1/me" "Authorization: Bearer $tok" >/dev/null
  : > "$WORK/bare" ; : > "$WORK/ggzy"
  for i in $(seq 1 "$RUNS"); do
    b=$(rps "$scheme://localhost:$bport/")
    g=$(rps "$scheme://localhost:$GPORT/api/v1/me" "Authorization: Bearer $tok")
    echo "$b" >> "$WORK/bare"; echo "$g" >> "$WORK/ggzy"
    printf '  %-5s run %d: bare %10.0f req/s   ggzyd %10.0f req/s\n' "$scheme" "$i" "$b" "$g"
  done
  b=$(median < "$WORK/bare"); g=$(median < "$WORK/ggzy")
  printf '%-5s median: bare %.0f req/s, ggzyd GET /api/v1/me %.0f req/s, ratio %.2f (goal >= 0.7)\n' \
    "$scheme" "$b" "$g" "$(awk -v g="$g" -v b="$b" 'BEGIN {print g / b}')"
  stop_pid "$bpid"; stop_pid "$GPID"
}

echo "== ggzyd vs bare libmicrohttpd: $RUNS runs of ${SECS}s, $CONNS keep-alive connections, $THREADS server threads, $(nproc) cores"
compare https on
compare http off

if ((SWEEP)); then
  echo "== thread model: GET /api/v1/users/1 (one indexed query per request), plain HTTP, $CONNS connections"
  for t in 1 2 4 16 32; do
    start_ggzyd "$t" off
    tok=$(curl -sf "http://localhost:$GPORT/api/v1/auth/login" -H 'Content-Type: application/json' \
          -d '{"username":"admin","password":"bench-password-1"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    rps "http://localhost:$GPORT/api/v1/users/1" "Authorization: Bearer $tok" >/dev/null
    : > "$WORK/sweep"
    for i in $(seq 1 3); do rps "http://localhost:$GPORT/api/v1/users/1" "Authorization: Bearer $tok" >> "$WORK/sweep"; done
    printf '  http.threads = %-3d median %8.0f req/s\n' "$t" "$(median < "$WORK/sweep")"
    stop_pid "$GPID"
  done
fi
