#!/usr/bin/python3
"""PyTorch side of bench/conv_bench.cpp: Conv2d forward and forward+backward at batch 64 on every
distinct convolution shape of LeNet-5, a CIFAR ResNet-20 (with option-B 1×1 stride-2
projections), VGG-11 (CIFAR variant) and two depthwise convolutions of MobileNet v2 (an optional
tenth field: groups), in ms per call. The case list must match conv_bench.cpp.

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_conv.py [--json FILE]
  [--nabla [LABEL=]FILE] [--min-time S]; options and thread configurations:
bench/torch_bench_util.py.
"""
import torch_bench_util as util

CASES = [  # name, in, out, kernel, stride, padding, size, input needs grad, bias
    ("lenet_c1_1x28_6_k5p2", 1, 6, 5, 1, 2, 28, False, True),
    ("lenet_c2_6x14_16_k5", 6, 16, 5, 1, 0, 14, True, True),
    ("resnet_c1_3x32_16_k3", 3, 16, 3, 1, 1, 32, False, False),
    ("resnet_16x32_16_k3", 16, 16, 3, 1, 1, 32, True, False),
    ("resnet_16x32_32_k3s2", 16, 32, 3, 2, 1, 32, True, False),
    ("resnet_proj_16x32_32_k1s2", 16, 32, 1, 2, 0, 32, True, False),
    ("resnet_32x16_32_k3", 32, 32, 3, 1, 1, 16, True, False),
    ("resnet_32x16_64_k3s2", 32, 64, 3, 2, 1, 16, True, False),
    ("resnet_proj_32x16_64_k1s2", 32, 64, 1, 2, 0, 16, True, False),
    ("resnet_64x8_64_k3", 64, 64, 3, 1, 1, 8, True, False),
    ("vgg_c1_3x32_64_k3", 3, 64, 3, 1, 1, 32, False, True),
    ("vgg_c2_64x16_128_k3", 64, 128, 3, 1, 1, 16, True, True),
    ("vgg_c3_128x8_256_k3", 128, 256, 3, 1, 1, 8, True, True),
    ("vgg_c4_256x8_256_k3", 256, 256, 3, 1, 1, 8, True, True),
    ("vgg_c5_256x4_512_k3", 256, 512, 3, 1, 1, 4, True, True),
    ("vgg_c6_512x4_512_k3", 512, 512, 3, 1, 1, 4, True, True),
    ("vgg_c7_512x2_512_k3", 512, 512, 3, 1, 1, 2, True, True),
    ("resnet18_64x28_64_k3", 64, 64, 3, 1, 1, 28, True, False),
    ("resnet18_128x14_128_k3", 128, 128, 3, 1, 1, 14, True, False),
    ("resnet18_256x7_256_k3", 256, 256, 3, 1, 1, 7, True, False),
    ("resnet18_512x4_512_k3", 512, 512, 3, 1, 1, 4, True, False),
    ("mobilenet_dw_96x28_k3", 96, 96, 3, 1, 1, 28, True, False, 96),
    ("mobilenet_dw_144x28_k3s2", 144, 144, 3, 2, 1, 28, True, False, 144),
]


def shape(cin, cout, k, stride, pad, size, bias):
    out = (size + 2 * pad - k) // stride + 1
    s = f"{cin}→{cout} {k}×{k}" + (f" s{stride}" if stride != 1 else "") + (f" p{pad}" if pad else "")
    return s + f", {size}²→{out}²" + ("" if bias else ", no bias")


SHAPES = {c[0]: shape(*c[1:7], c[8]) + (", depthwise" if len(c) > 9 else "") for c in CASES}


def measure(torch, timer):
    for name, cin, cout, k, stride, pad, s, input_grad, bias, *groups in CASES:
        conv = torch.nn.Conv2d(cin, cout, k, stride, pad, bias=bias, groups=groups[0] if groups else 1)
        x = torch.randn(util.BATCH, cin, s, s)

        def forward():
            with torch.no_grad():
                conv(x)

        timer(f"conv2d/forward/{name}", forward)
        xg = x.clone().requires_grad_(input_grad)
        g = torch.randn(conv(x).shape)

        def fwd_bwd():
            conv(xg).backward(g)
            for p in conv.parameters():
                p.grad = None
            xg.grad = None

        timer(f"conv2d/fwd_bwd/{name}", fwd_bwd)


if __name__ == "__main__":
    util.main(__file__, measure, SHAPES)
