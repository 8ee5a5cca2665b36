#!/usr/bin/env bash
# Side-by-side training throughput (images/s, batch 64) of LeNet-5 and the 784-256-10 MLP in
# nabla (build/bench/train_loop_bench) and PyTorch (bench/pytorch_train.py) in the same run.
# PyTorch runs in its best configuration here: OPENBLAS_NUM_THREADS=1 with torch threads 1 and 2,
# the faster kept; nabla likewise with 1 and 2 OpenMP threads. Usage: bash bench/train_compare.sh [build]
set -euo pipefail
build=${1:-build}
bin="$build/bench/train_loop_bench"
[[ -x "$bin" ]] || { echo "train_compare.sh: $bin not found; build it (ninja -C $build train_loop_bench)" >&2; exit 1; }
python=${PYTHON:-/usr/bin/python3}
batches=${BATCHES:-200}
here=$(dirname "$0")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for t in 1 2; do
  OPENBLAS_NUM_THREADS=1 "$bin" --threads "$t" --batches "$batches" | sed 's/^/nabla /' >>"$results"
  OPENBLAS_NUM_THREADS=1 "$python" "$here/pytorch_train.py" --threads "$t" --batches "$batches" | sed 's/^/torch /' >>"$results"
done
cat "$results"
echo
echo "| model | nabla images/s (threads) | PyTorch images/s (threads) | ratio |"
echo "|---|---|---|---|"
for m in lenet5 mlp; do
  best() { grep "^$1 $m " "$results" | sed 's/.*threads=\([0-9]*\) images_per_s=\([0-9]*\).*/\2 \1/' | sort -n | tail -1; }
  read -r nr nt <<<"$(best nabla)"
  read -r pr pt <<<"$(best torch)"
  echo "| $m | $nr ($nt) | $pr ($pt) | $(awk -v a="$nr" -v b="$pr" 'BEGIN{printf "%.2f×", a/b}') |"
done
