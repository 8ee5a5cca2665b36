#!/usr/bin/python3
"""PyTorch side of bench/norm_bench.cpp: BatchNorm2d (training mode, also followed by ReLU) and
Linear at batch 64 on the ResNet-20, VGG-11, LeNet-5 and MLP shapes, forward and
forward+backward, in ms per call.

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_norm.py [--json FILE]
Each configuration runs in a fresh process (thread settings must be fixed before the first op):
  t2: OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(2)     t1: torch.set_num_threads(1)
and the best per case is printed, with the configuration that gave it.
"""
import json
import os
import subprocess
import sys
import time

BN_CASES = [("resnet_16x32x32", 16, 32), ("resnet_32x16x16", 32, 16), ("resnet_64x8x8", 64, 8),
            ("vgg_64x32x32", 64, 32)]
LINEAR_CASES = [("lenet_400_120", 400, 120, True), ("lenet_120_84", 120, 84, True), ("lenet_84_10", 84, 10, True),
                ("mlp_784_256", 784, 256, False), ("mlp_256_10", 256, 10, True)]
BATCH = 64
CONFIGS = {"t2": ({"OPENBLAS_NUM_THREADS": "1"}, 2), "t1": ({}, 1)}


def best_ms(fn, min_time=0.5, repeats=5):
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
    return best * 1e3


def worker(threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {}
    for name, c, s in BN_CASES:
        for label, relu in (("batchnorm2d", False), ("batchnorm2d_relu", True)):
            bn = torch.nn.BatchNorm2d(c)
            x = torch.randn(BATCH, c, s, s)
            run = (lambda t: torch.relu(bn(t))) if relu else bn

            def forward():
                with torch.no_grad():
                    run(x)

            out[f"{label}/forward/{name}"] = best_ms(forward)
            xg = x.clone().requires_grad_()
            g = torch.randn(x.shape)

            def fwd_bwd():
                run(xg).backward(g)
                bn.weight.grad = None
                bn.bias.grad = None
                xg.grad = None

            out[f"{label}/fwd_bwd/{name}"] = best_ms(fwd_bwd)
    for name, fin, fout, input_grad in LINEAR_CASES:
        lin = torch.nn.Linear(fin, fout)
        x = torch.randn(BATCH, fin)

        def forward():
            with torch.no_grad():
                lin(x)

        out[f"linear/forward/{name}"] = best_ms(forward)
        xg = x.clone().requires_grad_(input_grad)
        g = torch.randn(BATCH, fout)

        def fwd_bwd():
            lin(xg).backward(g)
            lin.weight.grad = None
            lin.bias.grad = None
            xg.grad = None

        out[f"linear/fwd_bwd/{name}"] = best_ms(fwd_bwd)
    print(json.dumps(out))


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        worker(int(sys.argv[2]))
        return
    results = {}
    for cfg, (env, threads) in CONFIGS.items():
        proc = subprocess.run([sys.executable, __file__, "--worker", str(threads)], env={**os.environ, **env},
                              capture_output=True, text=True, check=True)
        results[cfg] = json.loads(proc.stdout.strip().splitlines()[-1])
    best = {n: min((results[c][n], c) for c in results) for n in results["t2"]}
    if len(sys.argv) > 2 and sys.argv[1] == "--json":
        with open(sys.argv[2], "w") as f:
            json.dump({n: {"ms": ms, "config": cfg} for n, (ms, cfg) in best.items()}, f, indent=1)
    print(f"{'case':45s} {'t2 ms':>9s} {'t1 ms':>9s} {'best':>9s}")
    for n, (ms, cfg) in best.items():
        print(f"{n:45s} {results['t2'][n]:9.4f} {results['t1'][n]:9.4f} {ms:9.4f} ({cfg})")


if __name__ == "__main__":
    main()
