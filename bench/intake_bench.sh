#!/usr/bin/env bash
# Durable intake over HTTP, side by side in one run (release build):
#   - motcua on SQLite and on PostgreSQL 15 (a throwaway cluster on loopback, fsync on):
#     dossiers/s, p50, p99 at 64 connections, JSON only (the scans were uploaded before) and with
#     two 200 KiB uploads per dossier (bench/intake_load.cc);
#   - the peer: PostgreSQL's own rate for a bare single-row INSERT of the same row into a table
#     shaped like `dossiers` (same columns and indexes), 64 pgbench clients, one commit each.
# REPS interleaved repetitions of DURATION seconds; medians reported. Any intake error (an answer
# other than 201, a failed connection, a replay) and any failed or aborted pgbench transaction
# fails the run, showing the errors: their rate would not be the rate of what was made.
#   MOTCUA_SETUP_BENCH=1 scripts/setup.sh
#   cmake --preset release -DMOTCUA_BENCH=ON && cmake --build --preset release
#   bench/intake_bench.sh            # DURATION=15 REPS=3 CONNECTIONS=64 HISTORY=200000
set -euo pipefail
source "$(dirname "$0")/quotas.sh"  # quota_flags
cd "$(dirname "$0")/.."
duration=${DURATION:-15}
reps=${REPS:-3}
conns=${CONNECTIONS:-64}
# A province's database holds its history: intake into an empty one measures a young B-tree
# (every unit's index entries on a few shared pages), not the steady state. HISTORY=0 for that.
history=${HISTORY:-200000}
bin=${MOTCUA_BIN:-build/release/motcua}
load=build/release/bench/intake_load
[ -x "$load" ] || { echo "build with -DMOTCUA_BENCH=ON first" >&2; exit 2; }
source scripts/pg-throwaway.sh
work=$(mktemp -d /tmp/motcua-intake.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$work"; pg_stop; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { /usr/bin/python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }
pg_admin=$MOTCUA_TEST_PG_URL
pg_url=${pg_admin%/*}/motcua_bench
psql "$pg_admin" -qc "CREATE DATABASE motcua_bench" >/dev/null

declare -A url port_of token sha
url[sqlite]="sqlite:$work/bench.db"
url[postgres]=$pg_url
units=""
for b in sqlite postgres; do
  p=$(port); port_of[$b]=$p
  "$bin" demo --db "${url[$b]}" --files "$work/files-$b" --listen "127.0.0.1:$p" \
    --argon2-ops 1 --argon2-mem-kib 8192 --now 2026-04-24T09:00:00+07:00 --dossiers "$history" --months 12 --seed 1 ${MOTCUA_BENCH_ARGS:-} \
    --limit login_per_minute_per_client=1000000 --limit login_burst_per_client=1000000 \
    ${quota_flags:-} \
    >"$work/$b.out" 2>"$work/$b.log" &
  pids+=($!)
  for _ in $(seq 1500); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.2; done
  token[$b]=$(curl -fs -X POST "http://127.0.0.1:$p/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"025095000123","password":"motcua-demo"}' | json '["token"]')
  printf '%%PDF-1.4\n%% standing scan for the JSON-only runs\n%%%%EOF\n' >"$work/scan.pdf"
  sha[$b]=$(curl -fs -X POST "http://127.0.0.1:$p/api/v1/files" -H "Authorization: Bearer ${token[$b]}" \
    -H 'Content-Type: application/pdf' --data-binary @"$work/scan.pdf" | json '["sha256"]')
  if [ -z "$units" ]; then  # the 148 communes and wards (HT-001 is lodged there)
    units=$(for off in 0 100; do curl -fs "http://127.0.0.1:$p/api/v1/units?parent=25&offset=$off&limit=100"; echo; done |
      /usr/bin/python3 -c 'import sys,json; print(",".join(u["code"] for l in sys.stdin if l.strip() for u in json.loads(l)["items"] if u["code"].isdigit() and len(u["code"]) == 5))')
  fi
done

# The peer: one bare INSERT per transaction of a typical dossier row, same table shape.
psql "$pg_url" -qc "CREATE TABLE bench_insert (LIKE dossiers INCLUDING ALL)" >/dev/null
# ... holding the same history as motcua's table, so both insert into trees of the same size.
psql "$pg_url" -qc "INSERT INTO bench_insert SELECT * FROM dossiers" -c "VACUUM ANALYZE bench_insert" >/dev/null
row_json=$(psql "$pg_url" -Atc "SELECT data FROM dossiers LIMIT 1" 2>/dev/null || true)
[ -n "$row_json" ] || row_json='{"procedure_name":"Đăng ký khai sinh","applicant":{"id_number":"025095000123","full_name":"Nguyễn Thị Thử","phone":"","email":"thu@example.vn","address":""},"components":[],"supplements":[],"path_units":["08746"]}'
# Unique codes from a sequence: random ones can collide with the primary key, which aborts the
# pgbench client (its transactions so far still counted in the tps).
psql "$pg_url" -qc "CREATE SEQUENCE bench_insert_code" >/dev/null
cat >"$work/insert.sql" <<SQL
INSERT INTO bench_insert (code, procedure_id, procedure_version, channel, receiving_unit,
  current_unit, assignee_user_id, state, version, applicant_id_number, applicant_name_folded,
  applicant_user_id, submitted_at, received_at, due_at, due_sort, finished_at, returned_at, data)
VALUES ('087.46.00.H25-260424-B' || nextval('bench_insert_code'), 'HT-001', 1, 2, '08746', '08746', 0,
  'submitted', 1, '025095000123', 'nguyen thi thu', 2, 1776996000000000, NULL, NULL,
  9223372036854775807, NULL, NULL, '$(printf '%s' "$row_json" | sed "s/'/''/g")');
SQL

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A res
for r in $(seq "$reps"); do
  for b in sqlite postgres; do
    for mode in json files; do
      files=0; [ $mode = files ] && files=2
      if ! MOTCUA_BENCH_SHA=${sha[$b]} "$load" --port "${port_of[$b]}" --token "${token[$b]}" \
          --units "$units" --connections "$conns" --seconds "$duration" --files $files \
          --file-kib 200 >"$work/load.out" 2>"$work/load.err"; then
        echo "bench: FAILED, run $r $b $mode: intake errors (intake_load exits 1 on any):" >&2
        cat "$work/load.out" "$work/load.err" >&2
        exit 1
      fi
      out=$(cat "$work/load.out")
      echo "run $r $b $mode: $out" >&2
      res[$b,$mode]+="$out"$'\n'
    done
  done
  if ! pgbench -n -c "$conns" -j 2 -T "$duration" -f "$work/insert.sql" "$pg_url" \
      >"$work/pgbench.log" 2>&1; then
    echo "bench: FAILED, run $r: pgbench bare INSERT:" >&2
    cat "$work/pgbench.log" >&2
    exit 1
  fi
  failed=$(awk '/^number of failed transactions:/ {print $5}' "$work/pgbench.log")
  if [ "${failed:-0}" != 0 ] || grep -q "aborted" "$work/pgbench.log"; then
    echo "bench: FAILED, run $r: pgbench bare INSERT had failed or aborted transactions:" >&2
    cat "$work/pgbench.log" >&2
    exit 1
  fi
  tps=$(awk '/^tps/ {print int($3)}' "$work/pgbench.log")
  echo "run $r pgbench bare INSERT: $tps tps" >&2
  res[pgbench]+="$tps"$'\n'
done

field() { /usr/bin/python3 -c "import sys,json; [print(json.loads(l)['$1']) for l in sys.stdin if l.strip()]"; }
peer=$(printf '%s' "${res[pgbench]}" | median)
echo
echo "| backend | payload | dossiers/s | p50 ms | p99 ms | vs pgbench bare INSERT ($peer/s) | errors, failed connections (all runs) |"
echo "|---|---|---|---|---|---|---|"
for b in sqlite postgres; do
  for mode in json files; do
    rate=$(printf '%s' "${res[$b,$mode]}" | field rate | median)
    p50=$(printf '%s' "${res[$b,$mode]}" | field p50_ms | median)
    p99=$(printf '%s' "${res[$b,$mode]}" | field p99_ms | median)
    label=$([ $mode = json ] && echo "JSON, no files" || echo "2 × 200 KiB files")
    ratio=$(awk -v a="$rate" -v b="$peer" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}')
    mib=$(awk -v a="$rate" 'BEGIN {printf "%.0f", a * 400 / 1024}')
    extra=$([ $mode = files ] && echo " (${mib} MiB/s of uploads)" || echo "")
    errors=$(printf '%s' "${res[$b,$mode]}" | field errors | awk '{s += $1} END {print s + 0}')
    failed=$(printf '%s' "${res[$b,$mode]}" | field failed_connections | awk '{s += $1} END {print s + 0}')
    echo "| $b | $label | $rate$extra | $p50 | $p99 | $ratio | $errors, $failed |"
  done
done
