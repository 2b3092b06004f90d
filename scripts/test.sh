#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: formatting, unit and storage tests and
# the API tests against the real binary on SQLite and on a throwaway PostgreSQL (ASan + UBSan
# build), then each libFuzzer target for MOTCUA_FUZZ_SECONDS (default 60) with sanitizers.
# Fails when no test ran, and on any skip not declared in tests/skips-allowed.txt. Last, the
# release build is started the production way and answers a few requests
# (scripts/smoke-release.sh). clang-tidy (.clang-tidy, scripts/tidy.sh) runs beside the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

echo "== format" >&2
scripts/check-format.sh

echo "== build (asan)" >&2
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"

echo "== clang-tidy (in the background, on one core, while the rest runs)" >&2
scripts/tidy.sh 1 >build/asan/tidy.out 2>&1 &
tidy_pid=$!

echo "== build (fuzz, clang-14)" >&2
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"

source scripts/pg-throwaway.sh
export MOTCUA_REQUIRE_PG=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

echo "== fuzz" >&2
scripts/fuzz.sh "${MOTCUA_FUZZ_SECONDS:-60}"

echo "== tests (asan, SQLite + PostgreSQL)" >&2
rm -f build/asan/ctest.junit.xml build/asan/tests/api_*.junit.xml
ctest --test-dir build/asan --output-on-failure --no-tests=error -j "$jobs" \
  --output-junit "$PWD/build/asan/ctest.junit.xml"
scripts/check-skips.py build/asan/ctest.junit.xml build/asan/tests/api_sqlite.junit.xml \
  build/asan/tests/api_postgres.junit.xml

echo "== clang-tidy result" >&2
if ! wait "$tidy_pid"; then cat build/asan/tidy.out >&2; exit 1; fi
cat build/asan/tidy.out >&2

echo "== release build, started as in production" >&2
JOBS=$jobs scripts/smoke-release.sh
