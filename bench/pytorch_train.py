#!/usr/bin/python3
"""PyTorch side of the training-throughput benchmark (bench/train_compare.sh): the same LeNet-5
and MLP 784-256-10 training loops as `nabla bench-train`, batch 64, SGD momentum 0.9, lr 0.01,
cross-entropy, on Fashion-MNIST held in memory (normalised once, reshuffled every epoch).

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_train.py [--steps N] [--json F]
Each thread configuration runs in a fresh process (thread settings must be fixed before the
first op):  t2: OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(2);  t1: set_num_threads(1).
Prints images/s per model and configuration, and the best per model.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import time

DATA = os.environ.get("NABLA_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
CONFIGS = {"t2": ({"OPENBLAS_NUM_THREADS": "1"}, 2), "t1": ({}, 1)}
BATCH = 64


def read_idx(path):
    import numpy as np
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def make_model(name, torch):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def worker(threads, steps):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    images = torch.from_numpy(read_idx(f"{DATA}/train-images-idx3-ubyte.gz").copy()).float().div_(255)
    images = images.sub_(0.2860).div_(0.3530).unsqueeze(1)
    labels = torch.from_numpy(read_idx(f"{DATA}/train-labels-idx1-ubyte.gz").copy()).long()
    out = {}
    for name in ("mlp", "lenet5"):
        model = make_model(name, torch)
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = torch.nn.CrossEntropyLoss()
        perm = torch.randperm(images.shape[0])

        def step(i):
            idx = perm[(i * BATCH) % (images.shape[0] - BATCH):][:BATCH]
            x, y = images[idx], labels[idx]
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss

        for i in range(20):
            step(i)
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(steps):
            step(i)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        out[name] = {"images_per_s": steps * BATCH / wall, "cpu_s": cpu, "wall_s": wall}
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--json", help="write the best images/s per model here")
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.steps)
        return
    best = {}
    for cfg, (env, threads) in CONFIGS.items():
        proc = subprocess.run([sys.executable, __file__, "--worker", str(threads), "--steps", str(args.steps)],
                              env={**os.environ, **env}, capture_output=True, text=True, check=True)
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        for name, r in res.items():
            print(f"pytorch {cfg} {name:7s} {r['images_per_s']:10.0f} images/s")
            if r["images_per_s"] > best.get(name, {}).get("images_per_s", 0):
                best[name] = {**r, "config": cfg}
    for name, r in best.items():
        print(f"pytorch best {name:7s} {r['images_per_s']:10.0f} images/s ({r['config']})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(best, f)


if __name__ == "__main__":
    main()
