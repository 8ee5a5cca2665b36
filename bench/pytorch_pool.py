#!/usr/bin/python3
"""PyTorch side of bench/pool_bench.cpp: pooling forward and forward+backward at batch 64 on the
LeNet-5, ResNet-20 and VGG-11 shapes, in µs per call.

Run with Debian's python3-torch:
  /usr/bin/python3 bench/pytorch_pool.py                      # PyTorch alone
  build/bench/pool_bench --benchmark_format=json > nabla.json
  /usr/bin/python3 bench/pytorch_pool.py --nabla nabla.json   # side by side, with ratios
  # nabla in several thread settings, best kept as for PyTorch:
  OMP_NUM_THREADS=2 build/bench/pool_bench --benchmark_format=json > n2.json
  OMP_NUM_THREADS=1 build/bench/pool_bench --benchmark_format=json > n1.json
  /usr/bin/python3 bench/pytorch_pool.py --nabla t2=n2.json --nabla t1=n1.json
Each configuration runs in a fresh process (thread settings must be fixed before the first op):
  t2: OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(2)     t1: torch.set_num_threads(1)
and the best per case is kept, with the configuration that gave it.
ratio = nabla time / PyTorch best time (below 1: nabla is faster).
"""
import argparse
import json
import os
import subprocess
import sys
import time

CASES = [  # name, layer, channels, size
    ("lenet_maxpool2_6x28", "max2", 6, 28),
    ("lenet_maxpool2_16x10", "max2", 16, 10),
    ("lenet_avgpool2_6x28", "avg2", 6, 28),
    ("lenet_avgpool2_16x10", "avg2", 16, 10),
    ("resnet_gap_64x8", "gap", 64, 8),
    ("vgg_maxpool2_64x32", "max2", 64, 32),
    ("vgg_maxpool2_128x16", "max2", 128, 16),
]
BATCH = 64
CONFIGS = {"t2": ({"OPENBLAS_NUM_THREADS": "1"}, 2), "t1": ({}, 1)}


def best_us(fn, min_time=0.5, repeats=5):
    for _ in range(3):
        fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t >= min_time / repeats:
            break
        n *= 2
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best * 1e6


def worker(threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = {"max2": lambda: torch.nn.MaxPool2d(2), "avg2": lambda: torch.nn.AvgPool2d(2),
              "gap": lambda: torch.nn.AdaptiveAvgPool2d(1)}
    out = {}
    for name, kind, c, s in CASES:
        pool = layers[kind]()
        x = torch.randn(BATCH, c, s, s)

        def forward():
            with torch.no_grad():
                pool(x)

        out[f"pool/forward/{name}"] = best_us(forward)
        xg = x.clone().requires_grad_()
        g = torch.randn(pool(x).shape)

        def fwd_bwd():
            y = pool(xg)
            y.backward(g)
            xg.grad = None

        out[f"pool/fwd_bwd/{name}"] = best_us(fwd_bwd)
    print(json.dumps(out))


def nabla_times(path):
    """Real time per call in µs by benchmark name, from Google Benchmark's JSON output."""
    with open(path) as f:
        data = json.load(f)
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    times = {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") == "iteration":
            name = b["name"].split("/real_time")[0]
            t = b["real_time"] * scale[b.get("time_unit", "ns")]
            times[name] = min(t, times.get(name, float("inf")))
    return times


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--nabla", action="append", default=[],
                        help="[LABEL=]FILE: JSON output of pool_bench (--benchmark_format=json); may repeat")
    args = parser.parse_args()
    results = {}
    for cfg, (env, threads) in CONFIGS.items():
        proc = subprocess.run([sys.executable, __file__, "--worker", str(threads)], env={**os.environ, **env},
                              capture_output=True, text=True, check=True)
        results[cfg] = json.loads(proc.stdout.strip().splitlines()[-1])
    ours = {}  # name -> (best µs, label)
    for spec in args.nabla:
        label, _, path = spec.rpartition("=")
        for name, t in nabla_times(path).items():
            if name not in ours or t < ours[name][0]:
                ours[name] = (t, label or "-")
    header = f"{'case':38s} {'torch t2':>9s} {'torch t1':>9s} {'torch best':>14s}"
    print(header + (f" {'nabla best':>14s} {'ratio':>6s}" if ours else "") + "   (µs per call)")
    for n in results["t2"]:
        t2, t1 = results["t2"][n], results["t1"][n]
        best = min(t2, t1)
        line = f"{n:38s} {t2:9.1f} {t1:9.1f} {best:9.1f} ({'t2' if t2 <= t1 else 't1'})"
        if n in ours:
            t, label = ours[n]
            line += f" {t:9.1f} ({label}) {t / best:6.2f}"
        print(line)


if __name__ == "__main__":
    main()
