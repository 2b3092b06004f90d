#!/usr/bin/env bash
# Installs what motcua needs to build, run and test on Debian 12, idempotently: it asks apt only
# for the packages that are missing, so a second run costs a dpkg query and nothing else.
set -euo pipefail
packages=(
  build-essential g++-12 cmake ninja-build pkg-config git ca-certificates
  libboost1.81-dev libsqlite3-dev libpq-dev libsodium-dev libexpected-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev clang-format-14 clang-tidy-14
  postgresql-15 postgresql-client-15
  libssl-dev libqrencode-dev libxlsxwriter-dev libmimalloc-dev zlib1g-dev fonts-dejavu-core
  poppler-utils zbar-tools unzip python3 python3-pytest python3-aiosmtpd curl
)
if [ "${MOTCUA_SETUP_BENCH:-0}" = 1 ]; then packages+=(nginx wrk hyperfine); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -q >/dev/null
  $sudo_cmd apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
