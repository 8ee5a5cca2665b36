#!/usr/bin/env bash
# Side-by-side GPT throughput, nabla (build/bench/gpt_bench) and PyTorch (bench/pytorch_gpt.py,
# nanoGPT's model) in the same run: nanoGPT's CPU "baby GPT" (n_layer 4, n_head 4, n_embd 128,
# block 64, vocab 65, dropout 0); training step tokens/s at batch 12, greedy generation tokens/s
# with and without the KV cache. PyTorch in its best CPU configuration: OPENBLAS_NUM_THREADS=1
# with torch threads 1 and 2, the faster kept; nabla likewise with 1 and 2 OpenMP threads.
# Usage: bash bench/gpt_compare.sh [build]   (STEPS, ROUNDS: work per measurement)
set -euo pipefail
build=${1:-build}
bin="$build/bench/gpt_bench"
[[ -x "$bin" ]] || { echo "gpt_compare.sh: $bin not found; build it (ninja -C $build gpt_bench)" >&2; exit 1; }
python=${PYTHON:-/usr/bin/python3}
steps=${STEPS:-30}
rounds=${ROUNDS:-10}
here=$(dirname "$0")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for t in 1 2; do
  OPENBLAS_NUM_THREADS=1 "$bin" --threads "$t" --steps "$steps" --rounds "$rounds" | sed 's/^/nabla /' >>"$results"
  OPENBLAS_NUM_THREADS=1 "$python" "$here/pytorch_gpt.py" --threads "$t" --steps "$steps" --rounds "$rounds" |
    sed 's/^/torch /' >>"$results"
done
cat "$results"
echo
echo "| measurement | nabla tokens/s (threads) | PyTorch tokens/s (threads) | ratio |"
echo "|---|---|---|---|"
for m in train generate_cache generate_nocache; do
  best() { grep "^$1 $m " "$results" | sed 's/.*threads=\([0-9]*\) tokens_per_s=\([0-9]*\).*/\2 \1/' | sort -n | tail -1; }
  read -r nr nt <<<"$(best nabla)"
  read -r pr pt <<<"$(best torch)"
  echo "| $m | $nr ($nt) | $pr ($pt) | $(awk -v a="$nr" -v b="$pr" 'BEGIN{printf "%.2f×", a/b}') |"
done
