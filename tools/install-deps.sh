#!/usr/bin/env bash
# Installs everything nabla needs to build, test and run on Debian 12 (run as root).
# Idempotent: packages already present are left alone.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libopenblas-openmp-dev liblapacke-dev libdnnl-dev zlib1g-dev nlohmann-json3-dev libstb-dev
  libcli11-dev libtomlplusplus-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev
  dataset-fashion-mnist
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
