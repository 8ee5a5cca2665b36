#!/usr/bin/env bash
# Side-by-side recurrent benchmark, nabla vs PyTorch, in one run: LSTM and GRU forward and
# forward+backward (bench/recurrent_bench.cpp and its twin bench/pytorch_recurrent.py).
# nabla runs with OMP_NUM_THREADS=1 and =2 and PyTorch in its two thread settings (t1, t2; see
# bench/torch_bench_util.py); the best of each side is kept per case, and the table gives
# ratio = PyTorch / nabla (above 1: nabla faster). Builds nothing: build first, e.g.
#   cmake -S . -B build -G Ninja && ninja -C build recurrent_bench
#   bash bench/recurrent_compare.sh build
# Environment: MIN_TIME seconds per case and thread setting (default 0.5), PYTHON (interpreter
# with torch; default /usr/bin/python3), OUT (directory that keeps the JSON files).
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
min_time=${MIN_TIME:-0.5}
python=${PYTHON:-/usr/bin/python3}
bin="$build/bench/recurrent_bench"
[[ -x "$bin" ]] || { echo "recurrent_compare.sh: $bin not found; build first (ninja -C $build recurrent_bench)" >&2; exit 1; }
if [[ -n "${OUT:-}" ]]; then out=$OUT; mkdir -p "$out"; else out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi
rep_time=$(awk -v t="$min_time" 'BEGIN { printf "%g", t / 5 }')
args=()
for t in 1 2; do
  echo "nabla: recurrent_bench, OMP_NUM_THREADS=$t…" >&2
  OMP_NUM_THREADS=$t "$bin" --benchmark_format=json --benchmark_min_time="$rep_time" --benchmark_repetitions=5 \
    >"$out/recurrent_t$t.json"
  args+=(--nabla "t$t=$out/recurrent_t$t.json")
done
echo "nabla vs PyTorch — $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), MIN_TIME=$min_time"
env -u OMP_NUM_THREADS "$python" "$here/pytorch_recurrent.py" --min-time "$min_time" "${args[@]}" \
  --json "$out/torch_recurrent.json"
# On a loaded machine wall times include time spent descheduled: also compare one-thread CPU
# times (nabla's main-thread CPU time with OMP_NUM_THREADS=1, PyTorch's process time with one thread).
echo
echo "one thread, CPU time (ms): case | nabla | PyTorch | ratio"
"$python" - "$out/recurrent_t1.json" "$out/torch_recurrent.json" <<'PY'
import json, sys
ours = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("run_type", "iteration") == "iteration":
        n = b.get("run_name", b["name"]).split("/real_time")[0]
        ours[n] = min(ours.get(n, float("inf")), b["cpu_time"])
theirs = json.load(open(sys.argv[2]))
for n, t in ours.items():
    if n in theirs and theirs[n].get("t1_cpu_ms"):
        print(f"{n:45s} {t:9.2f} {theirs[n]['t1_cpu_ms']:9.2f} {theirs[n]['t1_cpu_ms'] / t:6.2f}")
PY
