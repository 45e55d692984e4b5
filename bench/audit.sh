#!/usr/bin/env bash
# bench/audit.sh — the audit log's two figures, each next to a baseline measured in the same run:
#   1. appends/second with 16 concurrent writers, durable commits, counted once sequenced,
#      next to the plain single-row-insert commit rate of the same private MariaDB
#      (bench/audit_append.c);
#   2. the time `ggzy audit verify --file` needs for a 1,000,000-entry export next to the time
#      `openssl dgst -sha256` needs for the same entry bytes (median of 3 each).
#   3. the server's full self-check (core.log-scan) of every entry the appends left: its time
#      and the time per million entries, next to reading the same rows alone (bench/log_scan.c).
# usage: scripts/dev bench audit [--entries N] [--writers W] [--seconds S]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ENTRIES=1000000 WRITERS=16 SECS=5
while (($#)); do
  case $1 in
    --entries) ENTRIES=$2; shift 2 ;;
    --writers) WRITERS=$2; shift 2 ;;
    --seconds) SECS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
BIN=$ROOT/build/release
VAR=$ROOT/var
WORK=$(mktemp -d)
DB=ggzy_bench_audit_$$
SQL() { MYSQL_PWD=$(cat "$VAR/mariadb/admin.password") mariadb --no-defaults -S "$VAR/mariadb/mysqld.sock" -u ggzy_admin -e "$1"; }
trap 'SQL "DROP DATABASE IF EXISTS $DB" || true; rm -rf "$WORK"' EXIT
SQL "CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
openssl genpkey -algorithm ed25519 -out "$WORK/audit.key" 2>/dev/null
cat > "$WORK/b.conf" <<CONF
db.socket = $VAR/mariadb/mysqld.sock
db.password = $(cat "$VAR/mariadb/ggzy.password")
db.name = $DB
migrations.dir = $ROOT/migrations
audit.key = $WORK/audit.key
CONF
"$BIN/ggzyd" -c "$WORK/b.conf" migrate 2>/dev/null
"$BIN/bench_audit_append" "$WORK/b.conf" "$WRITERS" "$SECS" 3

# the server's full self-check of what the appends left (core.log-scan, every
# audit.scan_interval_s): re-hashing every entry from the database and comparing every checkpoint
echo "== the log's full self-check (logwatch_scan) of the entries above, 3 runs"
"$BIN/bench_log_scan" "$WORK/b.conf" 3

echo "== verifying a $ENTRIES-entry log vs raw SHA-256 of the same bytes (median of 3)"
vkey=$("$BIN/bench_gen_export" "$ENTRIES" "$WORK/audit.key" "$WORK/export.txt" "$WORK/raw.bin")
bytes=$(stat -c %s "$WORK/raw.bin")
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); awk -v s="$s" -v e="$e" 'BEGIN {print e - s}'; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for _ in 1 2 3; do t "$BIN/ggzy" audit verify --vkey "$vkey" --file "$WORK/export.txt"; done | median > "$WORK/v"
for _ in 1 2 3; do t openssl dgst -sha256 "$WORK/raw.bin"; done | median > "$WORK/h"
"$BIN/ggzy" audit verify --vkey "$vkey" --file "$WORK/export.txt" | sed 's/^/  /'
awk -v v="$(cat "$WORK/v")" -v h="$(cat "$WORK/h")" -v b="$bytes" -v n="$ENTRIES" 'BEGIN {
  printf "median: verify %.2f s, openssl dgst -sha256 %.2f s for the same %d entries (%.0f MB), ratio %.2f (goal <= 1.5)\n", v, h, n, b / 1e6, v / h }'
