#!/usr/bin/env bash
# Fails when a C++ file differs from what clang-format makes of it (.clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
fmt=$(command -v clang-format-14 || command -v clang-format)
bad=0
while IFS= read -r f; do
  if ! diff -q <("$fmt" --style=file "$f") "$f" >/dev/null; then
    echo "format drift: $f (run: $fmt -i --style=file $f)" >&2
    bad=1
  fi
done < <(git ls-files '*.cc' '*.h' | grep -v '^src/common/fold_table.inc$')
exit $bad
