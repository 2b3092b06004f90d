#!/usr/bin/env bash
# clang-tidy with the repository's .clang-tidy on every source file of src/ (through the asan
# build's compile_commands.json); any warning fails. Usage: scripts/tidy.sh [jobs]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-$(nproc)}
[ -f build/asan/compile_commands.json ] || { echo "tidy: build the asan preset first" >&2; exit 1; }
files=$(git ls-files 'src/*.cc')
start=$(date +%s)
# run-clang-tidy prints each file's diagnostics; -quiet drops the per-file banner.
if ! run-clang-tidy-14 -p build/asan -j "$jobs" -quiet $files >build/asan/tidy.log 2>&1; then
  grep -E "warning:|error:" build/asan/tidy.log | sort -u | head -100 >&2
  echo "tidy: warnings above (full log: build/asan/tidy.log)" >&2
  exit 1
fi
echo "tidy: $(echo "$files" | wc -l) files clean in $(( $(date +%s) - start )) s" >&2
