#!/usr/bin/env bash
# Installs ONNX Runtime for node (npm package onnxruntime-node, which ships the CPU runtime for
# linux x64 inside the package) into BUILD_DIR/onnxruntime, where the ONNX tests look for it.
# --ignore-scripts skips the package's post-install download (GPU binaries): nothing else is fetched.
#   bash tools/onnx/install_ort.sh [BUILD_DIR]     (default: build)
set -euo pipefail
version=1.31.1
dest="${1:-build}/onnxruntime"
command -v npm >/dev/null || { echo "install_ort.sh: npm not found (apt-get install -y nodejs npm)" >&2; exit 1; }
mkdir -p "$dest"
if [ ! -f "$dest/package.json" ]; then echo '{"private": true}' > "$dest/package.json"; fi
npm install --prefix "$dest" --ignore-scripts --no-audit --no-fund "onnxruntime-node@$version"
echo "onnxruntime-node $version in $dest/node_modules"
