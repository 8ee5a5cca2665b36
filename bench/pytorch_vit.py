"""PyTorch twin of bench/vit_bench.cpp: one training step of torchvision's VisionTransformer in
vit_small's configuration (28×28, patch 4, 6 layers, 4 heads, hidden 128, MLP 256, one input
channel, 10 classes) at batch 64, SGD with momentum, cross-entropy.

Usage: /usr/bin/python3 bench/pytorch_vit.py [--threads N] [--steps N]
"""
import argparse
import time

import torch
import torch.nn.functional as F
from torchvision.models.vision_transformer import VisionTransformer


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = VisionTransformer(28, 4, 6, 4, 128, 256, num_classes=10)
    model.conv_proj = torch.nn.Conv2d(1, 128, 4, 4)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
    fwd = bwd = total = 0.0
    for i in range(a.steps + 3):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        f = time.perf_counter() - t0
        opt.zero_grad()
        t1 = time.perf_counter()
        loss.backward()
        b = time.perf_counter() - t1
        opt.step()
        if i >= 3:
            fwd, bwd, total = fwd + f, bwd + b, total + time.perf_counter() - t0
    n = a.steps
    print(f"pytorch_vit_small threads={a.threads} step_ms={1000 * total / n:.1f} forward_ms={1000 * fwd / n:.1f} "
          f"backward_ms={1000 * bwd / n:.1f} images_per_s={64 * n / total:.0f}")


if __name__ == "__main__":
    main()
