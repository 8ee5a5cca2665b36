"""PyTorch twin of bench/zoo_bench.cpp: the same zoo models built with torchvision (or, for the
models torchvision lacks, as nabla builds them) at the same input size; training images/s at
batch 64 (SGD with momentum, cross-entropy, forward + backward + step on a fixed random batch)
and batch-1 inference latency in eval mode under torch.no_grad(), of the eager model and of
PyTorch's frozen inference form (torch.jit.freeze + optimize_for_inference), the faster kept.

Usage: pytorch_zoo.py --model NAME [--input 1x28x28] [--classes 10] [--threads N]
                      [--mode train|latency] [--steps N] [--runs N]
Prints the lines zoo_bench prints. Run with OPENBLAS_NUM_THREADS=1 (Debian's torch otherwise
runs two thread pools that fight for the cores)."""
import argparse
import resource
import time

import torch
import torch.nn as nn

from zoo_models import build


def train(model, args):
    torch.manual_seed(0)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.randn(64, *args.input)
    y = torch.randint(0, args.classes, (64,))

    def step():
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(3):
        step()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(args.steps):
        step()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    images = args.steps * 64
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"train model={args.model} threads={args.threads} images_per_s={images / wall:.1f} "
          f"cpu_images_per_s={images / cpu:.1f} peak_rss_mb={peak:.0f}")


def median_ms(model, x, runs):
    times = []
    with torch.no_grad():
        for _ in range(5):
            model(x)
        for _ in range(runs):
            t0 = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return times[len(times) // 2]


def frozen(model, x):
    """PyTorch's own inference preparation: traced, frozen (weights become constants) and
    optimize_for_inference (convolution weights pre-converted to oneDNN's layout, BatchNorm
    folded). None when the model does not trace."""
    try:
        with torch.no_grad():
            return torch.jit.optimize_for_inference(torch.jit.freeze(torch.jit.trace(model, x)))
    except Exception:  # noqa: BLE001 - any tracing failure leaves the eager model as the peer
        return None


def latency(model, args):
    model.eval()
    x = torch.randn(1, *args.input)
    # The peer's best configuration: eager and frozen, the faster kept (both reported).
    best = ("eager", median_ms(model, x, args.runs))
    prepared = frozen(model, x)
    if prepared is not None:
        ms = median_ms(prepared, x, args.runs)
        print(f"# latency model={args.model} threads={args.threads} eager_ms={best[1]:.3f} frozen_ms={ms:.3f}")
        if ms < best[1]:
            best = ("frozen", ms)
    print(f"latency model={args.model} threads={args.threads} ms={best[1]:.3f} config={best[0]}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="resnet20")
    p.add_argument("--input", default="1x28x28")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--mode", default="train", choices=["train", "latency"])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--runs", type=int, default=50)
    args = p.parse_args()
    args.input = [int(v) for v in args.input.split("x")]
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = build(args.model, args.input[0], args.classes)
    (train if args.mode == "train" else latency)(model, args)


if __name__ == "__main__":
    main()
