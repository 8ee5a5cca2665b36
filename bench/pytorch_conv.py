#!/usr/bin/python3
"""PyTorch side of bench/conv_bench.cpp: Conv2d forward and forward+backward at batch 64 on the
LeNet-5, ResNet-20 and VGG-11 shapes, in ms per call.

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_conv.py
Each configuration runs in a fresh process (thread settings must be fixed before the first op):
  t2: OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(2)     t1: torch.set_num_threads(1)
and the best per case is printed, with the configuration that gave it.
"""
import json
import os
import subprocess
import sys
import time

CASES = [  # name, in, out, kernel, padding, size, input needs grad
    ("lenet_c1_1x28_6_k5p2", 1, 6, 5, 2, 28, False),
    ("lenet_c2_6x14_16_k5", 6, 16, 5, 0, 14, True),
    ("resnet_16x32_16_k3", 16, 16, 3, 1, 32, True),
    ("resnet_32x16_32_k3", 32, 32, 3, 1, 16, True),
    ("resnet_64x8_64_k3", 64, 64, 3, 1, 8, True),
    ("vgg_c1_3x32_64_k3", 3, 64, 3, 1, 32, False),
    ("vgg_c2_64x16_128_k3", 64, 128, 3, 1, 16, True),
]
BATCH = 64
CONFIGS = {"t2": ({"OPENBLAS_NUM_THREADS": "1"}, 2), "t1": ({}, 1)}


def best_ms(fn, min_time=0.5, repeats=5):
    """(wall ms, process CPU ms) per call, best of `repeats` loops. On a loaded machine the CPU
    time of a one-thread run is the steadier number (it excludes time spent descheduled)."""
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
    wall = cpu = float("inf")
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        wall = min(wall, (time.perf_counter() - t0) / n)
        cpu = min(cpu, (time.process_time() - c0) / n)
    return wall * 1e3, cpu * 1e3


def worker(threads):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {}
    for name, cin, cout, k, p, s, input_grad in CASES:
        conv = torch.nn.Conv2d(cin, cout, k, 1, p)
        x = torch.randn(BATCH, cin, s, s)

        def forward():
            with torch.no_grad():
                conv(x)

        out[f"conv2d/forward/{name}"] = best_ms(forward)
        xg = x.clone().requires_grad_(input_grad)
        g = torch.randn(conv(x).shape)

        def fwd_bwd():
            y = conv(xg)
            y.backward(g)
            conv.weight.grad = None
            conv.bias.grad = None
            xg.grad = None

        out[f"conv2d/fwd_bwd/{name}"] = best_ms(fwd_bwd)
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
    names = list(results["t2"])
    print("ms per call (wall); cpu = process CPU time of the one-thread run")
    print(f"{'case':45s} {'t2 ms':>9s} {'t1 ms':>9s} {'best':>9s}      {'t1 cpu':>9s}")
    for n in names:
        t2, t1 = results["t2"][n][0], results["t1"][n][0]
        print(f"{n:45s} {t2:9.3f} {t1:9.3f} {min(t2, t1):9.3f} ({'t2' if t2 <= t1 else 't1'}) "
              f"{results['t1'][n][1]:9.3f}")


if __name__ == "__main__":
    main()
