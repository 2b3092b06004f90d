#!/usr/bin/env bash
# HTTP benchmark, side by side in one run: motcua (release build, SQLite) against nginx serving
# the very same JSON bytes as static files, with wrk on loopback (2 threads, 64 connections,
# DURATION seconds each, REPS repetitions interleaved; medians reported). Then logins/s with
# Argon2id at the default cost, and the latency of other requests while logins run. Any non-2xx
# answer, socket error or timeout fails the run (bench/wrk_check.sh).
#   MOTCUA_SETUP_BENCH=1 scripts/setup.sh && cmake --build --preset release && bench/http_bench.sh
set -euo pipefail
source "$(dirname "$0")/quotas.sh"  # quota_flags
cd "$(dirname "$0")/.."
source bench/wrk_check.sh
duration=${DURATION:-20}
reps=${REPS:-3}
bin=${MOTCUA_BIN:-build/release/motcua}  # another build (e.g. a baseline) with MOTCUA_BIN
work=$(mktemp -d /tmp/motcua-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; rm -rf "$work"; }
trap cleanup EXIT
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

mport=$(port); nport=$(port)
"$bin" init --db "sqlite:$work/bench.db" >/dev/null
"$bin" serve --db "sqlite:$work/bench.db" --listen "127.0.0.1:$mport" \
  --limit login_per_minute_per_client=100000000 --limit login_burst_per_client=100000000 \
  ${quota_flags:-} \
  >"$work/motcua.out" 2>"$work/motcua.log" &
pids+=($!)
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$mport/healthz" >/dev/null && break; sleep 0.1; done
"$bin" user add --db "sqlite:$work/bench.db" --username bench.user --password bench-password \
  --role specialist --unit 08746 >/dev/null

lookup=/api/v1/procedures/HT-001
search='/api/v1/procedures?q=dang%20ky%20ket%20hon'
mkdir -p "$work/www"
curl -fs "http://127.0.0.1:$mport$lookup" >"$work/www/lookup.json"
curl -fs "http://127.0.0.1:$mport$search" >"$work/www/search.json"
# nginx started as root serves as "nobody", which may not enter mktemp's 0700 directory: every
# answer was a 403 (and counted as throughput) until this chmod.
chmod 755 "$work" "$work/www"
chmod 644 "$work/www/"*.json
cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $work/nginx-access.log combined buffer=64k flush=1s;
  types { application/json json; }
  server {
    listen 127.0.0.1:$nport;
    root $work/www;
    location / { default_type application/json; }
  }
}
NGINX
nginx -c "$work/nginx.conf" -g 'daemon off;' &
pids+=($!)
sleep 0.5

parse_wrk() {  # wrk output file -> "rps p99_ms"
  awk '
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
    END {printf "%.0f %.2f\n", rps, p99}' "$1"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A rps p99
for rep in $(seq "$reps"); do
  for case in lookup search; do
    path=$lookup; [ $case = search ] && path=$search
    npath=/$case.json
    wrk_run "motcua $case" "$work/wrk.txt" -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$mport$path"
    read -r rm p <<<"$(parse_wrk "$work/wrk.txt")"; rps[motcua_$case]+="$rm "; p99[motcua_$case]+="$p "
    wrk_run "nginx $case" "$work/wrk.txt" -t2 -c64 -d"${duration}s" --latency "http://127.0.0.1:$nport$npath"
    read -r rn p <<<"$(parse_wrk "$work/wrk.txt")"; rps[nginx_$case]+="$rn "; p99[nginx_$case]+="$p "
    echo "rep $rep $case: motcua $rm/s nginx $rn/s" >&2
  done
done
echo
echo "wrk -t2 -c64 -d${duration}s, median of $reps interleaved runs (requests/s, p99 ms)"
printf "%-8s %-28s %10s %8s\n" server case req/s p99_ms
for case in lookup search; do
  for s in motcua nginx; do
    r=$(echo ${rps[${s}_$case]} | tr ' ' '\n' | median); p=$(echo ${p99[${s}_$case]} | tr ' ' '\n' | median)
    printf "%-8s %-28s %10s %8s\n" $s $case "$r" "$p"
    eval "${s}_${case}_rps=$r"
  done
  echo "ratio motcua/nginx ($case): $(awk -v a=$(eval echo \$motcua_${case}_rps) -v b=$(eval echo \$nginx_${case}_rps) 'BEGIN{printf "%.2f", a/b}')"
done

# Logins: 8 connections logging in for the whole run, while 4 other connections read.
cat >"$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"username":"bench.user","password":"bench-password"}'
wrk.headers["Content-Type"] = "application/json"
LUA
cat bench/wrk_errors.lua >>"$work/login.lua"
echo
echo "logins (Argon2id, default cost: ops=2, mem=19 MiB, 1 hashing thread) for ${duration}s"
(WRK_SCRIPT=$work/login.lua wrk_run login "$work/login.txt" -t1 -c8 -d"${duration}s" \
  "http://127.0.0.1:$mport/api/v1/auth/login") &
lp=$!
sleep 1
wrk_run "lookup during logins" "$work/during.txt" -t1 -c4 -d"$((duration > 3 ? duration - 2 : 1))s" \
  --latency "http://127.0.0.1:$mport$lookup"
wait $lp
grep -E "Requests/sec" "$work/login.txt" | sed 's/^/  login: /'
grep -E "Requests/sec|50%|99%" "$work/during.txt" | sed 's/^/  lookup during logins: /'
echo "  lookup alone (same 4 connections):"
wrk_run "lookup alone" "$work/alone.txt" -t1 -c4 -d"$((duration < 10 ? duration : 10))s" --latency \
  "http://127.0.0.1:$mport$lookup"
grep -E "Requests/sec|50%|99%" "$work/alone.txt" | sed 's/^/    /'
echo
echo "every wrk run above: no non-2xx answer, no socket error, no timeout"
