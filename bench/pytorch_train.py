"""PyTorch twin of bench/train_loop_bench.cpp: LeNet-5 and a 784-256-10 MLP on Fashion-MNIST,
SGD with momentum, batch 64; prints "<model> threads=<n> images_per_s=<rate> cpu_s=<seconds>".
Run with OPENBLAS_NUM_THREADS=1 (Debian's torch otherwise runs two thread pools that fight)."""
import argparse
import gzip
import time

import numpy as np
import torch
import torch.nn as nn


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def run(name, model, x, y, batches, threads):
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    batch, n = 64, x.shape[0]

    def step(i):
        start = (i * batch) % (n - batch + 1)
        loss = loss_fn(model(x[start:start + batch]), y[start:start + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()

    for i in range(20):
        step(i)
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(batches):
        step(i)
    wall = time.perf_counter() - t0
    print(f"{name} threads={threads} images_per_s={batches * batch / wall:.0f} cpu_s={time.process_time() - cpu0:.3f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batches", type=int, default=200)
    p.add_argument("--model", default="both")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    n = 12800
    img = np.frombuffer(gzip.open(a.data + "/train-images-idx3-ubyte.gz").read()[16:16 + n * 784], np.uint8)
    lbl = np.frombuffer(gzip.open(a.data + "/train-labels-idx1-ubyte.gz").read()[8:8 + n], np.uint8)
    x = torch.from_numpy(((img.astype(np.float32) / 255 - 0.286) / 0.353).reshape(n, 1, 28, 28))
    y = torch.from_numpy(lbl.astype(np.int64))
    if a.model in ("both", "lenet5"):
        run("lenet5", lenet5(), x, y, a.batches, a.threads)
    if a.model in ("both", "mlp"):
        run("mlp", mlp(), x, y, a.batches, a.threads)


if __name__ == "__main__":
    main()
