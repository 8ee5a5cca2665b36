#!/usr/bin/env bash
# Side-by-side layer benchmark, nabla vs PyTorch: forward and forward+backward of every distinct
# conv, pooling, BatchNorm and Linear shape of LeNet-5, a CIFAR ResNet-20 and VGG-11 at batch 64
# (bench/conv_bench.cpp, pool_bench.cpp, norm_bench.cpp and their twins pytorch_conv.py,
# pytorch_pool.py, pytorch_norm.py). Prints ONE markdown table (bench/layers_report.py):
#   layer | shape | pass | nabla ms | PyTorch ms | ratio (PyTorch/nabla, above 1: nabla faster)
# and a summary line (geometric mean ratio, slowest case). Builds nothing: build first, e.g.
#   cmake -S . -B build -G Ninja && ninja -C build -j2 conv_bench pool_bench norm_bench
#   bash bench/layers_compare.sh build
# nabla: each binary runs with OMP_NUM_THREADS=1 and =2, best kept per case (the table says which).
# PyTorch: each script runs its cases in two fresh processes, t2 (torch.set_num_threads(2),
# OPENBLAS_NUM_THREADS=1) and t1 (one thread), best kept per case (bench/torch_bench_util.py).
# Environment:
#   MIN_TIME  seconds per case and thread setting on each side (default 0.5): nabla runs
#             5 repetitions of MIN_TIME/5, PyTorch 5 loops of MIN_TIME/5; best kept on both sides
#   QUICK=1   MIN_TIME=0.02: checks that everything runs (about 2–3 minutes), numbers meaningless
#   CPU=1     add the one-thread process CPU times and their ratio (use on a loaded machine)
#   ONLY      a subset of "conv pool norm attention" (default "conv pool norm"; attention: SDPA,
#             MultiheadAttention and TransformerEncoderLayer at two sequence lengths)
#   PYTHON    interpreter with torch (default: python3 or /usr/bin/python3, whichever imports it)
#   OUT       directory that keeps the JSON files (default: a temporary one, removed afterwards)
set -euo pipefail

build=${1:-build}
bench_dir="$build/bench"
if [[ -n "${QUICK:-}" && "${QUICK}" != 0 ]]; then min_time=${MIN_TIME:-0.02}; else min_time=${MIN_TIME:-0.5}; fi
only=${ONLY:-conv pool norm}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! awk -v t="$min_time" 'BEGIN { exit !(t + 0 > 0) }'; then
  echo "layers_compare.sh: MIN_TIME must be a positive number of seconds, got '$min_time'" >&2
  exit 1
fi
for b in $only; do
  case $b in
    conv | pool | norm | attention) ;;
    *) echo "layers_compare.sh: ONLY: expected words from 'conv pool norm attention', got '$b'" >&2; exit 1 ;;
  esac
  if [[ ! -x "$bench_dir/${b}_bench" ]]; then
    echo "layers_compare.sh: $bench_dir/${b}_bench not found; build first (ninja -C $build -j2 ${b}_bench)" >&2
    exit 1
  fi
done

python=${PYTHON:-}
if [[ -z "$python" ]]; then
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c "import torch" 2>/dev/null; then python=$p; break; fi
  done
fi
if [[ -z "$python" ]] || ! "$python" -c "import torch" 2>/dev/null; then
  echo "layers_compare.sh: no Python with torch found (set PYTHON)" >&2
  exit 1
fi

if [[ -n "${OUT:-}" ]]; then
  out=$OUT
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

rep_time=$(awk -v t="$min_time" 'BEGIN { printf "%g", t / 5 }')
nabla_args=()
torch_args=()
for b in $only; do
  for t in 1 2; do
    echo "nabla: ${b}_bench, OMP_NUM_THREADS=$t…" >&2
    OMP_NUM_THREADS=$t "$bench_dir/${b}_bench" --benchmark_format=json --benchmark_min_time="$rep_time" \
      --benchmark_repetitions=5 >"$out/${b}_t$t.json"
    nabla_args+=(--nabla "t$t=$out/${b}_t$t.json")
  done
  echo "PyTorch: pytorch_$b.py ($python)…" >&2
  env -u OMP_NUM_THREADS "$python" "$here/pytorch_$b.py" --min-time "$min_time" --json "$out/torch_$b.json" \
    >"$out/torch_$b.txt"
  torch_args+=(--torch "$out/torch_$b.json")
done

cpu_args=()
if [[ -n "${CPU:-}" && "${CPU}" != 0 ]]; then cpu_args=(--cpu); fi
echo "nabla vs PyTorch, batch 64 — $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), MIN_TIME=$min_time"
echo
"$python" "$here/layers_report.py" "${nabla_args[@]}" "${torch_args[@]}" "${cpu_args[@]}"
