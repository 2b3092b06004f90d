#!/usr/bin/env bash
# An officer's queue page over a large history, side by side in one run (release build):
# `motcua demo --dossiers N --no-serve` generates the history (SQLite and PostgreSQL 15 on a
# throwaway cluster), then wrk asks for 50-row pages (filtered, sorted by deadline) as the
# reception officer of Xuân Hòa, as its leader, and as the province's admin (every unit), at 8
# connections; the peer is PostgreSQL running the page's own SELECT under pgbench at the same
# concurrency (the database's cost without HTTP, JSON or access rules). Each page is also
# asked for at 1 connection: one officer's latency on a server that is not saturated.
# REPS interleaved repetitions of DURATION seconds; medians reported. Any non-2xx answer, socket
# error or timeout (bench/wrk_check.sh), and any failed pgbench transaction, fails the run. The
# peer's due-date cutoffs are the server's: its clock's now (--now, running on since the server
# started) for "overdue", and now + 3 days for "due within 3 days".
#   MOTCUA_SETUP_BENCH=1 scripts/setup.sh
#   cmake --preset release -DMOTCUA_BENCH=ON && cmake --build --preset release
#   bench/queue_bench.sh                 # DOSSIERS=1000000 MONTHS=12 DURATION=10 REPS=3
set -euo pipefail
source "$(dirname "$0")/quotas.sh"  # quota_flags
cd "$(dirname "$0")/.."
source bench/wrk_check.sh
dossiers=${DOSSIERS:-1000000}
months=${MONTHS:-12}
duration=${DURATION:-10}
reps=${REPS:-3}
conns=${CONNECTIONS:-8}
now=${NOW:-2026-04-24T10:00:00+07:00}
bin=${MOTCUA_BIN:-build/release/motcua}  # another build (e.g. a baseline) with MOTCUA_BIN
source scripts/pg-throwaway.sh
work=$(mktemp -d /tmp/motcua-queue.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$work"; pg_stop; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json() { /usr/bin/python3 -c "import sys,json; print(json.load(sys.stdin)$1)"; }
pg_url=${MOTCUA_TEST_PG_URL%/*}/motcua_queue
psql "$MOTCUA_TEST_PG_URL" -qc "CREATE DATABASE motcua_queue" >/dev/null

declare -A url port_of started_us
url[sqlite]="sqlite:$work/queue.db"
url[postgres]=$pg_url
common=(--argon2-ops 1 --argon2-mem-kib 8192 --now "$now"
        --limit login_per_minute_per_client=1000000 --limit login_burst_per_client=1000000 \
    ${quota_flags:-})
for b in sqlite postgres; do
  echo "generating $dossiers dossiers over $months months on $b ..." >&2
  /usr/bin/time -f "  %e s, %M KiB max RSS" "$bin" demo --db "${url[$b]}" --files "$work/files-$b" \
    --dossiers "$dossiers" --months "$months" --seed 1 --no-serve "${common[@]}" >"$work/gen-$b.out"
  grep -iE "dossiers/s|generated|written" "$work/gen-$b.out" | head -3 >&2 || true
  p=$(port); port_of[$b]=$p
  started_us[$b]=$(($(date +%s%N) / 1000))
  "$bin" serve --db "${url[$b]}" --files "$work/files-$b" --listen "127.0.0.1:$p" "${common[@]}" \
    >"$work/$b.out" 2>"$work/$b.log" &
  pids+=($!)
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.2; done
done

login() {  # backend user -> token
  curl -fs -X POST "http://127.0.0.1:${port_of[$1]}/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"motcua-demo\"}" | json '["token"]'
}
# The PostgreSQL server's clock now, in microseconds: --now, plus the time since it started.
server_now_us() {
  echo $(( $(date -d "$now" +%s) * 1000000 + $(date +%s%N) / 1000 - ${started_us[postgres]} ))
}
# name|user|query|the SELECT the page costs the database (for the pgbench peer; :now_us is the
# server's now, set for each pgbench run)
xh="'08746'"
cases=(
  "reception: unit queue|reception.xuanhoa|limit=50|SELECT code FROM dossiers WHERE current_unit IN ($xh) ORDER BY due_sort, code LIMIT 51"
  "reception: in process|reception.xuanhoa|state=in_process&limit=50|SELECT code FROM dossiers WHERE current_unit IN ($xh) AND state = 'in_process' ORDER BY due_sort, code LIMIT 51"
  "reception: due within 3 days|reception.xuanhoa|due_within_days=3&limit=50|SELECT code FROM dossiers WHERE current_unit IN ($xh) AND finished_at IS NULL AND due_sort < :now_us + 259200000000 ORDER BY due_sort, code LIMIT 51"
  "leader: overdue|leader.xuanhoa|overdue=true&limit=50|SELECT code FROM dossiers WHERE current_unit IN ($xh) AND finished_at IS NULL AND due_sort < :now_us ORDER BY due_sort, code LIMIT 51"
  "admin: whole province|admin.phutho|limit=50|SELECT code FROM dossiers ORDER BY due_sort, code LIMIT 51"
  "reception: name search|reception.xuanhoa|q=nguyen%20van&limit=50|SELECT code FROM dossiers WHERE current_unit IN ($xh) AND strpos(applicant_name_folded, 'nguyen van') > 0 ORDER BY due_sort, code LIMIT 51"
)

run_wrk() {  # label url token [connections]: wrk into $work/wrk.txt, failing on any error
  local c=${4:-$conns}
  wrk_run "$1" "$work/wrk.txt" -t$((c < 2 ? 1 : 2)) -c"$c" -d"${duration}s" --latency \
    -H "Authorization: Bearer $3" "$2"
}
parse_wrk() {  # -> "rps p50_ms p99_ms" of $work/wrk.txt
  awk '
    function ms(v) { if (v ~ /us$/) {sub(/us/,"",v); return v/1000} if (v ~ /ms$/) {sub(/ms/,"",v); return v} sub(/s/,"",v); return v*1000 }
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=ms($2)} /^ +99%/ {p99=ms($2)}
    END {printf "%.0f %.2f %.2f\n", rps, p50, p99}' "$work/wrk.txt"
}
run_pgbench() {  # name: the case's SELECT ($work/q.sql) under pgbench; "mean_ms tps"; fails on
  # any failed or aborted transaction
  if ! pgbench -n -c "$conns" -j 2 -T "$duration" -D now_us="$(server_now_us)" -f "$work/q.sql" \
      "$pg_url" >"$work/pgbench.txt" 2>&1; then
    echo "bench: pgbench failed ($1):" >&2
    cat "$work/pgbench.txt" >&2
    exit 1
  fi
  local failed
  failed=$(awk '/^number of failed transactions:/ {print $5}' "$work/pgbench.txt")
  if [ "${failed:-0}" != 0 ] || grep -q "aborted" "$work/pgbench.txt"; then
    echo "bench: FAILED, pgbench ($1): failed or aborted transactions:" >&2
    cat "$work/pgbench.txt" >&2
    exit 1
  fi
  awk '/^latency average/ {print $4} /^tps/ {print int($3)}' "$work/pgbench.txt" | paste -sd' '
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
declare -A tok out
for b in sqlite postgres; do
  for u in reception.xuanhoa leader.xuanhoa admin.phutho; do tok[$b,$u]=$(login $b $u); done
done
for r in $(seq "$reps"); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name user query sql <<<"$c"
    for b in sqlite postgres; do
      run_wrk "$name, $b" "http://127.0.0.1:${port_of[$b]}/api/v1/dossiers?$query" "${tok[$b,$user]}"
      out[$name,$b]+="$(parse_wrk)"$'\n'
      # and one officer alone: the latency of a page when the server is not saturated
      run_wrk "$name, $b, 1 connection" "http://127.0.0.1:${port_of[$b]}/api/v1/dossiers?$query" \
        "${tok[$b,$user]}" 1
      out[$name,$b,1]+="$(parse_wrk)"$'\n'
    done
    echo "$sql;" >"$work/q.sql"
    run_pgbench "$name" >"$work/lat.txt"
    lat=$(cat "$work/lat.txt")
    out[$name,pgbench]+="$lat"$'\n'
    echo "run $r $name: sqlite $(echo "${out[$name,sqlite]}" | tail -2 | head -1) | postgres $(echo "${out[$name,postgres]}" | tail -2 | head -1) | pgbench $lat" >&2
  done
done
echo "every wrk run: no non-2xx answer, no socket error, no timeout; every pgbench run: no failed transaction" >&2
col() { printf '%s' "$1" | awk -v k="$2" 'NF {print $k}' | median; }
rows=$(psql "$pg_url" -Atc "SELECT count(*) FROM dossiers")
echo
echo "Queue pages over $rows dossiers ($conns connections; p50/p99 in ms; the peer is the same SELECT under pgbench: its mean latency and rate)"
echo
echo "| page | SQLite req/s | p50 | p99 | PostgreSQL req/s | p50 | p99 | pgbench SELECT mean ms (tps) |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r name user query sql <<<"$c"
  s=${out[$name,sqlite]}; p=${out[$name,postgres]}; g=${out[$name,pgbench]}
  echo "| $name | $(col "$s" 1) | $(col "$s" 2) | $(col "$s" 3) | $(col "$p" 1) | $(col "$p" 2) | $(col "$p" 3) | $(col "$g" 1) ($(col "$g" 2)) |"
done
echo
echo "The same pages at 1 connection (one officer; p50/p99 in ms)"
echo
echo "| page | SQLite req/s | p50 | p99 | PostgreSQL req/s | p50 | p99 |"
echo "|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r name user query sql <<<"$c"
  s=${out[$name,sqlite,1]}; p=${out[$name,postgres,1]}
  echo "| $name | $(col "$s" 1) | $(col "$s" 2) | $(col "$s" 3) | $(col "$p" 1) | $(col "$p" 2) | $(col "$p" 3) |"
done
