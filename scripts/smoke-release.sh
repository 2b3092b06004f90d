#!/usr/bin/env bash
# Builds the release preset (what production runs: -O2, NDEBUG, mimalloc, no sanitizers) and
# starts it the production way on a fresh SQLite database: `motcua init`, `motcua user add`,
# `motcua serve`; then /healthz, /readyz, a procedure, a login and /api/v1/me, and a SIGTERM that
# must end it with status 0. Fails on any other answer. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-$(nproc)}
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs" --target motcua
bin=build/release/motcua
work=$(mktemp -d /tmp/motcua-smoke.XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "smoke-release: $*" >&2
  echo "--- server stderr ---" >&2
  tail -20 "$work/serve.err" >&2 || true
  exit 1
}
field() { /usr/bin/python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

db="sqlite:$work/smoke.db"
"$bin" init --db "$db" >"$work/init.out" || fail "init failed: $(cat "$work/init.out")"
"$bin" user add --db "$db" --username smoke.admin --password smoke-password-1 --role admin \
  --unit 25 >/dev/null || fail "user add failed"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --files "$work/files" \
  >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 300); do
  curl -fs "$url/healthz" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || fail "serve exited before answering"
  sleep 0.1
done
[ "$(curl -fsS "$url/healthz")" = '{"status":"ok"}' ] || fail "/healthz"
[ "$(curl -fsS "$url/readyz")" = '{"status":"ready"}' ] || fail "/readyz"
[ "$(curl -fsS "$url/api/v1/procedures/HT-001" | field '["id"]')" = HT-001 ] ||
  fail "GET /api/v1/procedures/HT-001"
token=$(curl -fsS -X POST "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
  -d '{"username":"smoke.admin","password":"smoke-password-1"}' | field '["token"]') ||
  fail "login"
[ "$(curl -fsS "$url/api/v1/me" -H "Authorization: Bearer $token" | field '["username"]')" = \
  smoke.admin ] || fail "GET /api/v1/me"
status=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/v1/me")
[ "$status" = 401 ] || fail "GET /api/v1/me without a token answered $status, not 401"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" = 0 ] || fail "serve exited with $rc after SIGTERM"
echo "smoke-release: release build served init, user add, /healthz, /readyz, a procedure," \
  "a login and /api/v1/me, and stopped cleanly" >&2
