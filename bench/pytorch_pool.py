#!/usr/bin/python3
"""PyTorch side of bench/pool_bench.cpp: pooling forward and forward+backward at batch 64 on every
distinct pooling shape of LeNet-5 (2×2 max and average pooling: both variants of the network
exist), a CIFAR ResNet-20 (global average pooling) and VGG-11 (2×2 max pooling after each
block). The case list must match pool_bench.cpp.

Run with Debian's python3-torch:
  /usr/bin/python3 bench/pytorch_pool.py                      # PyTorch alone
  OMP_NUM_THREADS=2 build/bench/pool_bench --benchmark_format=json > n2.json
  OMP_NUM_THREADS=1 build/bench/pool_bench --benchmark_format=json > n1.json
  /usr/bin/python3 bench/pytorch_pool.py --nabla t2=n2.json --nabla t1=n1.json
Options and thread configurations: bench/torch_bench_util.py.
ratio = PyTorch best time / nabla best time (above 1: nabla is faster).
"""
import torch_bench_util as util

CASES = [  # name, layer, channels, size
    ("lenet_maxpool2_6x28", "max2", 6, 28),
    ("lenet_maxpool2_16x10", "max2", 16, 10),
    ("lenet_avgpool2_6x28", "avg2", 6, 28),
    ("lenet_avgpool2_16x10", "avg2", 16, 10),
    ("resnet_gap_64x8", "gap", 64, 8),
    ("vgg_maxpool2_64x32", "max2", 64, 32),
    ("vgg_maxpool2_128x16", "max2", 128, 16),
    ("vgg_maxpool2_256x8", "max2", 256, 8),
    ("vgg_maxpool2_512x4", "max2", 512, 4),
    ("vgg_maxpool2_512x2", "max2", 512, 2),
]
KINDS = {"max2": "max 2×2", "avg2": "avg 2×2", "gap": "global avg"}
SHAPES = {n: f"{KINDS[k]}, {c}×{s}²→{1 if k == 'gap' else s // 2}²" for n, k, c, s in CASES}


def measure(torch, timer):
    layers = {"max2": lambda: torch.nn.MaxPool2d(2), "avg2": lambda: torch.nn.AvgPool2d(2),
              "gap": lambda: torch.nn.AdaptiveAvgPool2d(1)}
    out = {}
    for name, kind, c, s in CASES:
        pool = layers[kind]()
        x = torch.randn(util.BATCH, c, s, s)

        def forward():
            with torch.no_grad():
                pool(x)

        timer(f"pool/forward/{name}", forward)
        xg = x.clone().requires_grad_()
        g = torch.randn(pool(x).shape)

        def fwd_bwd():
            pool(xg).backward(g)
            xg.grad = None

        timer(f"pool/fwd_bwd/{name}", fwd_bwd)


if __name__ == "__main__":
    util.main(__file__, measure, SHAPES, unit="us")
