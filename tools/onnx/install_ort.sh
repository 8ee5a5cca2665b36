#!/usr/bin/env bash
# Installs ONNX Runtime for node (npm package onnxruntime-node, which ships the CPU runtime for
# linux x64 inside the package) into BUILD_DIR/onnxruntime, where the ONNX tests look for it.
# --ignore-scripts skips the package's post-install download (GPU binaries): nothing else is fetched.
# Does nothing when that version is installed already. The ONNX tests' CTest fixture
# (onnxruntime_install, tests/CMakeLists.txt) runs it with --if-npm: then a machine without npm,
# or one where npm cannot reach the registry, only prints why, and the ONNX Runtime tests report
# SKIPPED.
#   bash tools/onnx/install_ort.sh [BUILD_DIR] [--if-npm]     (default: build)
set -euo pipefail
version=1.31.1
dest="${1:-build}/onnxruntime"
if ! command -v npm >/dev/null; then
  if [[ "${2:-}" == "--if-npm" ]]; then
    echo "install_ort.sh: npm not found: ONNX Runtime not installed, its tests will be skipped (apt-get install -y nodejs npm)"
    exit 0
  fi
  echo "install_ort.sh: npm not found (apt-get install -y nodejs npm)" >&2
  exit 1
fi
installed="$dest/node_modules/onnxruntime-node/package.json"
if [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed"; then
  echo "onnxruntime-node $version already in $dest/node_modules"
  exit 0
fi
mkdir -p "$dest"
if [ ! -f "$dest/package.json" ]; then echo '{"private": true}' > "$dest/package.json"; fi
if ! npm install --prefix "$dest" --ignore-scripts --no-audit --no-fund "onnxruntime-node@$version"; then
  if [[ "${2:-}" == "--if-npm" ]]; then
    echo "install_ort.sh: npm could not install onnxruntime-node (above): its tests will be skipped"
    exit 0
  fi
  exit 1
fi
echo "onnxruntime-node $version in $dest/node_modules"
