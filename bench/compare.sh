#!/usr/bin/env bash
# Runs nabla's benchmarks and their peers (OpenBLAS, memcpy, PyTorch) in one go and prints one
# markdown table: op/size | nabla | peer | ratio. Builds nothing: build first, e.g.
#   cmake -S . -B build -G Ninja && ninja -C build
#   bash bench/compare.sh build
# Environment: MIN_TIME (seconds per benchmark and repetition, default 0.2), REPS (repetitions,
# best kept, default 3), PYTHON (an interpreter with torch; by default python3 or
# /usr/bin/python3, whichever imports torch), OUT (directory for the JSON files, default a
# temporary directory that is removed afterwards).
set -euo pipefail

build=${1:-build}
bench_dir="$build/bench"
min_time=${MIN_TIME:-0.2}
reps=${REPS:-3}
for b in matmul_bench elementwise_bench overhead_bench; do
  if [[ ! -x "$bench_dir/$b" ]]; then
    echo "compare.sh: $bench_dir/$b not found; build first (ninja -C $build)" >&2
    exit 1
  fi
done

if [[ -n "${OUT:-}" ]]; then
  out=$OUT
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

python=${PYTHON:-}
if [[ -z "$python" ]]; then
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c "import torch" 2>/dev/null; then python=$p; break; fi
  done
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# nabla and OpenBLAS (OpenMP build) share one OpenMP pool of 2 threads.
for b in matmul elementwise overhead; do
  echo "running $b benchmarks…" >&2
  OMP_NUM_THREADS=2 "$bench_dir/${b}_bench" --benchmark_format=json --benchmark_min_time="$min_time" \
    --benchmark_repetitions="$reps" >"$out/$b.json"
done

torch_args=()
if [[ -n "$python" ]]; then
  echo "running PyTorch ($python)…" >&2
  # pytorch_compare.py sets its own thread configurations (see its docstring).
  env -u OMP_NUM_THREADS "$python" "$here/pytorch_compare.py" --min-time "$min_time" --json "$out/torch.json"
  torch_args=(--torch "$out/torch.json")
else
  echo "compare.sh: no Python with torch found; PyTorch rows skipped" >&2
fi

python3 "$here/report.py" --matmul "$out/matmul.json" --elementwise "$out/elementwise.json" \
  --overhead "$out/overhead.json" "${torch_args[@]}"
