#!/usr/bin/env bash
# Side-by-side whole-model speed of the zoo, nabla (build/bench/zoo_bench) and PyTorch
# (bench/pytorch_zoo.py, torchvision's models adapted to the same small input as nabla's
# variants, bench/zoo_models.py) in the same run: training images/s at batch 64, batch-1
# inference latency, and peak resident memory of the training process. Each measurement runs in
# its own process. Both sides in their best CPU configuration: OPENBLAS_NUM_THREADS=1 with 1 and 2
# threads, the faster kept.
# Usage: bash bench/zoo_compare.sh [build]
#   MODELS="resnet20 resnet18 ..."  which models (default: the issue's six)
#   INPUT=1x28x28  STEPS=10 (training steps per measurement)  RUNS=50 (latency forwards)
#   MODES="train latency"  which measurements (the table leaves the others blank)
#   ROUNDS=1  repeats of the whole measurement, the two sides alternating; the table keeps each
#             side's best (on a host whose clock drifts, one round can catch the sides at
#             different speeds)
set -euo pipefail
build=${1:-build}
bin="$build/bench/zoo_bench"
[[ -x "$bin" ]] || { echo "zoo_compare.sh: $bin not found; build it (ninja -C $build zoo_bench)" >&2; exit 1; }
python=${PYTHON:-/usr/bin/python3}
models=${MODELS:-"resnet20 resnet18 mobilenet_v2 densenet_bc vgg11 vit_small"}
input=${INPUT:-1x28x28}
steps=${STEPS:-10}
runs=${RUNS:-50}
modes=${MODES:-"train latency"}
rounds=${ROUNDS:-1}
here=$(dirname "$0")
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for round in $(seq "$rounds"); do
  for m in $models; do
    for t in 1 2; do
      for mode in $modes; do
        args=(--model "$m" --input "$input" --threads "$t" --mode "$mode" --steps "$steps" --runs "$runs")
        OPENBLAS_NUM_THREADS=1 "$bin" "${args[@]}" | sed 's/^/nabla /' >>"$results"
        OPENBLAS_NUM_THREADS=1 "$python" "$here/pytorch_zoo.py" "${args[@]}" | sed 's/^/torch /' >>"$results"
      done
    done
  done
done
cat "$results"
echo
echo "| model | train nabla img/s (threads) | PyTorch img/s (threads) | ratio | latency nabla ms | PyTorch ms | ratio | peak RSS nabla MB | PyTorch MB |"
echo "|---|---|---|---|---|---|---|---|---|"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "" || b + 0 == 0) print "–"; else printf "%.2f×", a / b }'; }
for m in $models; do
  best_rate() { grep "^$1 train model=$m " "$results" | sed 's/.*threads=\([0-9]*\) images_per_s=\([0-9.]*\).*peak_rss_mb=\([0-9]*\).*/\2 \1 \3/' | sort -g | tail -1; }
  best_ms() { grep "^$1 latency model=$m " "$results" | sed 's/.*threads=\([0-9]*\) ms=\([0-9.]*\).*/\2 \1/' | sort -g | head -1; }
  read -r nr nt nm <<<"$(best_rate nabla)"
  read -r pr pt pm <<<"$(best_rate torch)"
  read -r nl nlt <<<"$(best_ms nabla)"
  read -r pl plt <<<"$(best_ms torch)"
  echo "| $m | $nr ($nt) | $pr ($pt) | $(ratio "$nr" "$pr") | $nl ($nlt) | $pl ($plt) | $(ratio "$pl" "$nl") | $nm | $pm |"
done
