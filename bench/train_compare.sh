#!/usr/bin/env bash
# Training throughput, nabla vs PyTorch, same loop, same data, same machine, same run:
# LeNet-5 and MLP 784-256-10 on Fashion-MNIST, batch 64, SGD momentum (bench/train_bench.cpp and
# bench/pytorch_train.py). Each side runs with 1 and 2 threads and keeps its best; the ratio is
# nabla's best over PyTorch's best. Build first (ninja -C build train_bench), then:
#   bash bench/train_compare.sh build [STEPS]
set -euo pipefail
build=${1:-build}
steps=${2:-400}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for t in 1 2; do
  OMP_NUM_THREADS=$t "$build/bench/train_bench" --steps "$steps" >"$out/nabla_t$t.json"
done
/usr/bin/python3 "$here/pytorch_train.py" --steps "$steps" --json "$out/torch.json" >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
d = sys.argv[1]
runs = {t: json.load(open(f"{d}/nabla_t{t}.json")) for t in (1, 2)}
torch = json.load(open(f"{d}/torch.json"))
print("| model (batch 64) | nabla images/s | PyTorch images/s | ratio |")
print("|---|---|---|---|")
for m in ("mlp", "lenet5"):
    t, r = max(((t, runs[t][m]) for t in runs), key=lambda p: p[1]["images_per_s"])
    p = torch[m]
    print(f"| {m} | {r['images_per_s']:.0f} ({t} thr) | {p['images_per_s']:.0f} ({p['config']}) | "
          f"{r['images_per_s'] / p['images_per_s']:.2f}x |")
PY
