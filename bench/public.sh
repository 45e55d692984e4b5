#!/usr/bin/env bash
# bench/public.sh — requests/second of the public announcement list (GET
# /api/v1/public/announcements: a page of 20 from a table of 100,000 published announcements,
# no login) next to a bare libmicrohttpd handler serving the same page's bytes, in the same run:
# same thread count, HTTPS, keep-alive connections (wrk). Runs alternate; medians and ratio.
# usage: scripts/dev bench public [--rows N] [--runs N] [--seconds S] [--connections C] [--threads T]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=100000 RUNS=5 SECS=5 CONNS=64 THREADS=2
while (($#)); do
  case $1 in
    --rows) ROWS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --seconds) SECS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN=$ROOT/build/release
VAR=$ROOT/var
WORK=$(mktemp -d)
DB=ggzy_bench_public_$$
PIDS=()
SQL() { MYSQL_PWD=$(cat "$VAR/mariadb/admin.password") mariadb --no-defaults -S "$VAR/mariadb/mysqld.sock" -u ggzy_admin "$@"; }
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  SQL -e "DROP DATABASE IF EXISTS $DB" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
SQL -e "CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
openssl genpkey -algorithm ed25519 -out "$WORK/audit.key" 2>/dev/null
cat > "$WORK/g.conf" <<CONF
http.port = 0
http.threads = $THREADS
http.cert = $VAR/certs/server.crt
http.key = $VAR/certs/server.key
db.socket = $VAR/mariadb/mysqld.sock
db.password = $(cat "$VAR/mariadb/ggzy.password")
db.name = $DB
migrations.dir = $ROOT/migrations
api.openapi = $ROOT/docs/openapi.json
calendar.dir = $ROOT/calendar
experts.specialties = $ROOT/data/expert-specialties.tsv
deposits.rates = $ROOT/data/deposit-rates.tsv
http.per_ip_connections = 0
web.root = $ROOT/web
audit.key = $WORK/audit.key
log.access = on
CONF
"$BIN/ggzyd" -c "$WORK/g.conf" migrate 2>/dev/null
GGZY_ADMIN_PASSWORD=bench-password-1 "$BIN/ggzyd" -c "$WORK/g.conf" bootstrap-admin >/dev/null 2>&1
echo "== seeding $ROWS published announcements"
SQL "$DB" <<SQL
INSERT INTO organizations (name, type, credit_code, region, created_us) VALUES
  ('某招标代理有限公司', 'agency', '91110000MA00000BEN', '110000', 0),
  ('某市住房和城乡建设局', 'tenderer', '11110000MB00000BEN', '110000', 0);
INSERT INTO projects (code, name, category, method, region, tenderer_org_id, agent_org_id,
  created_by, budget_fen, funding_source, legally_required, state, created_us, updated_us)
  SELECT '110000-2026-GC-00001', '某市政道路改造工程', 'engineering', 'open_tender', '110000',
    (SELECT id FROM organizations WHERE type = 'tenderer'), (SELECT id FROM organizations WHERE type = 'agency'),
    1, 100000000, '财政资金', 1, 'announced', 0, 0;
INSERT INTO announcements (project_id, project_code, type, title, body, state, category, region, created_by,
  created_us, updated_us, published_us, content_sha256, signature, pub_seq,
  docs_from_us, docs_until_us, bid_deadline_us, opening_us)
  SELECT 1, '110000-2026-GC-00001', ELT(1 + seq % 4, 'tender', 'amendment', 'candidates', 'award'),
    CONCAT('某市第', seq, '号工程施工招标公告'), '公告正文……', 'published',
    ELT(1 + seq % 4, 'engineering', 'procurement', 'land_mineral', 'state_property'),
    ELT(1 + seq % 3, '110000', '310000', '440300'), 1, seq, seq,
    1780000000000000 + seq * 1000000, UNHEX(SHA2(seq, 256)), UNHEX(REPEAT('00', 64)), seq,
    1780000000000000 + seq * 1000000, 1780432000000000 + seq * 1000000,
    1781728000000000 + seq * 1000000, 1781728000000000 + seq * 1000000
  FROM seq_1_to_$ROWS;
SQL
rm -f "$WORK/port"
"$BIN/ggzyd" -c "$WORK/g.conf" --port-file "$WORK/port" 2>"$WORK/ggzyd.log" & PIDS+=($!)
for _ in $(seq 1 200); do [[ -s $WORK/port ]] && break; sleep 0.05; done
GPORT=$(cat "$WORK/port")
URL="https://localhost:$GPORT/api/v1/public/announcements${QS:-}"
curl -sf --cacert "$VAR/certs/ca.crt" "$URL" > "$WORK/page.json"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert len(d['items']) >= 1, d; print('  a page: %d items, %d bytes' % (len(d['items']), len(open(sys.argv[1]).read().encode())))" "$WORK/page.json"
BPORT=$(( 20000 + RANDOM % 20000 ))
"$BIN/bench_bare" "$BPORT" "$THREADS" "$VAR/certs/server.crt" "$VAR/certs/server.key" "$WORK/page.json" 2>>"$WORK/bare.log" & PIDS+=($!)
sleep 0.3
rps() {
  local out; out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" "$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk saw errors: $out" >&2; tail -3 "$WORK/ggzyd.log" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
rps "https://localhost:$BPORT/" >/dev/null; rps "$URL" >/dev/null
: > "$WORK/b"; : > "$WORK/g"
echo "== public list vs bare libmicrohttpd: $RUNS runs of ${SECS}s, $CONNS keep-alive connections, $THREADS threads, HTTPS"
for i in $(seq 1 "$RUNS"); do
  b=$(rps "https://localhost:$BPORT/"); g=$(rps "$URL")
  echo "$b" >> "$WORK/b"; echo "$g" >> "$WORK/g"
  printf '  run %d: bare %10.0f req/s   ggzyd %10.0f req/s\n' "$i" "$b" "$g"
done
b=$(median < "$WORK/b"); g=$(median < "$WORK/g")
printf 'median: bare %.0f req/s, ggzyd public list %.0f req/s, ratio %.2f (goal >= 0.8)\n' "$b" "$g" \
  "$(awk -v g="$g" -v b="$b" 'BEGIN {print g / b}')"
