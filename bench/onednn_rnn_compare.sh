#!/usr/bin/env bash
# oneDNN's RNN primitive against nabla's LSTM/GRU in one process (bench/onednn_rnn_bench.cpp),
# with OMP_NUM_THREADS=1 and =2; prints per case the best wall time and the best main-thread CPU
# time over the repetitions of each side, and ratio = oneDNN / nabla (above 1: nabla faster).
# Builds nothing: build first, e.g.
#   cmake -S . -B build -G Ninja && ninja -C build onednn_rnn_bench
#   bash bench/onednn_rnn_compare.sh build
# Environment: MIN_TIME seconds per repetition (default 0.1), REPS repetitions (default 5),
# PYTHON (default /usr/bin/python3).
set -euo pipefail
build=${1:-build}
bin="$build/bench/onednn_rnn_bench"
python=${PYTHON:-/usr/bin/python3}
[[ -x "$bin" ]] || { echo "onednn_rnn_compare.sh: $bin not found; build first (ninja -C $build onednn_rnn_bench)" >&2; exit 1; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
echo "oneDNN RNN vs nabla — $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for t in 1 2; do
  OMP_NUM_THREADS=$t "$bin" --benchmark_format=json --benchmark_min_time="${MIN_TIME:-0.1}" \
    --benchmark_repetitions="${REPS:-5}" >"$out/t$t.json"
done
"$python" - "$out/t1.json" "$out/t2.json" <<'PY'
import json, sys
print("case | threads | nabla wall ms | oneDNN wall ms | ratio | nabla CPU ms | oneDNN CPU ms | ratio")
for t, path in zip((1, 2), sys.argv[1:]):
    best = {}
    for b in json.load(open(path))["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration":
            continue
        name = b.get("run_name", b["name"]).split("/real_time")[0]
        case, side = name.rsplit("/", 1)
        w, c = best.get((case, side), (float("inf"), float("inf")))
        best[(case, side)] = (min(w, b["real_time"]), min(c, b["cpu_time"]))
    for case in dict.fromkeys(k[0] for k in best):
        (nw, nc), (ow, oc) = best[(case, "nabla")], best[(case, "onednn")]
        print(f"{case:38s} | {t} | {nw:8.2f} | {ow:8.2f} | {ow / nw:5.2f} | {nc:8.2f} | {oc:8.2f} | {oc / nc:5.2f}")
PY
