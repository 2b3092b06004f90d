#!/usr/bin/env bash
# Runs each libFuzzer target (build/fuzz, clang-14, ASan + UBSan) for SECONDS (default 60) from
# its seed corpus in fuzz/corpus/, and first replays every saved crasher in fuzz/crashers/.
# New findings are written to fuzz/artifacts/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
mkdir -p fuzz/artifacts
for target in fuzz_http fuzz_json fuzz_file; do
  name=${target#fuzz_}
  bin=build/fuzz/fuzz/$target
  if [ -d "fuzz/crashers/$name" ] && [ -n "$(ls -A "fuzz/crashers/$name")" ]; then
    "$bin" -runs=0 "fuzz/crashers/$name"/* >/dev/null 2>&1 || { echo "crasher regression in $target" >&2; exit 1; }
  fi
  work=$(mktemp -d)
  cp fuzz/corpus/"$name"/* "$work"/
  echo "fuzz: $target for ${seconds}s" >&2
  "$bin" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=fuzz/artifacts/ -print_final_stats=1 "$work" 2>"$work.log" || {
      tail -50 "$work.log" >&2
      echo "fuzz: $target found a problem (see fuzz/artifacts/)" >&2
      exit 1
    }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$work.log" | sed "s/^/  $target /" >&2
  rm -rf "$work" "$work.log" /tmp/motcua-fuzz-*
done
