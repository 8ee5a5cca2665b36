#!/usr/bin/env bash
# Installs everything nabla needs on Debian 12 (bookworm), as root, from Debian's archive only.
# Idempotent: packages already present are left alone.
#
#   bash tools/install-deps.sh           # build, tests, examples, the nabla command, the fuzzers
#   bash tools/install-deps.sh --peers   # also the peers the benchmarks compare against
#                                        # (PyTorch, torchvision, scikit-learn, NumPy, hyperfine)
#
# Every package the build, the tests and the examples use is listed here by name, including the
# ones a developer's machine usually has already (compiler, make, pkg-config, git): .ci/fresh-root.sh
# proves this list complete by running the README's commands in a brand-new Debian 12 root.
set -euo pipefail

packages=(
  # compilers and build tools (g++ 12 for the library, clang 14 + its runtime for the fuzzers)
  build-essential g++ make cmake ninja-build pkg-config git clang-14 libclang-rt-14-dev
  # libraries: BLAS/LAPACK (OpenMP builds), oneDNN, zlib, JSON, stb images, CLI11, toml++
  libopenblas-openmp-dev liblapacke-dev libdnnl-dev zlib1g-dev nlohmann-json3-dev libstb-dev
  libcli11-dev libtomlplusplus-dev
  # tests and micro-benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  # the ONNX export tests: ONNX Runtime runs under node (npm installs the onnxruntime-node package
  # into the build folder, tools/onnx/install_ort.sh), and python3-onnx's checker reads every file
  nodejs npm python3-onnx
  # data: Fashion-MNIST (/usr/share/datasets/fashion-mnist) and English text (/usr/share/games/fortunes)
  dataset-fashion-mnist fortunes
)
if [[ "${1:-}" == "--peers" ]]; then
  # What bench/*.sh and tools/parity/*.py run against (Python 3 comes with them).
  packages+=(python3 python3-numpy python3-torch python3-torchvision python3-sklearn hyperfine)
elif [[ -n "${1:-}" ]]; then
  echo "usage: $0 [--peers]" >&2
  exit 2
fi

# A machine may already have Node.js from elsewhere (NodeSource's nodejs bundles npm and conflicts
# with Debian's npm package): a working `node` and `npm` on PATH satisfy those two packages.
provided_by_command() {
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 && node --version >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 && npm --version >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
  provided_by_command "$p" && continue
  missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "install-deps: done"
fi
