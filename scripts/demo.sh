#!/usr/bin/env bash
# Installs what is missing, builds the release binary and runs `motcua demo` (extra arguments
# are passed on, e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
exec build/release/motcua demo "$@"
