#!/usr/bin/python3
"""PyTorch side of bench/norm_bench.cpp: BatchNorm2d (training mode; also followed by ReLU) and
Linear at batch 64, forward and forward+backward, on every distinct BatchNorm and Linear shape of
LeNet-5 (400→120→84→10), a CIFAR ResNet-20 (BatchNorm at 16×32², 32×16², 64×8²; 64→10) and
VGG-11 with BatchNorm, CIFAR variant (BatchNorm after every conv; one 512→10 classifier), plus
an MLP; in ms per call. The case lists must match norm_bench.cpp.

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_norm.py [--json FILE]
  [--nabla [LABEL=]FILE] [--min-time S]; options and thread configurations:
bench/torch_bench_util.py.
"""
import torch_bench_util as util

BN_CASES = [("resnet_16x32x32", 16, 32), ("resnet_32x16x16", 32, 16), ("resnet_64x8x8", 64, 8),
            ("vgg_64x32x32", 64, 32), ("vgg_128x16x16", 128, 16), ("vgg_256x8x8", 256, 8),
            ("vgg_512x4x4", 512, 4), ("vgg_512x2x2", 512, 2)]
LINEAR_CASES = [("lenet_400_120", 400, 120, True), ("lenet_120_84", 120, 84, True), ("lenet_84_10", 84, 10, True),
                ("resnet_64_10", 64, 10, True), ("vgg_512_10", 512, 10, True),
                ("mlp_784_256", 784, 256, False), ("mlp_256_10", 256, 10, True)]
SHAPES = {**{n: f"{c}×{s}²" for n, c, s in BN_CASES},
          **{n: f"{i}→{o}" + ("" if grad else ", input without grad") for n, i, o, grad in LINEAR_CASES}}


def measure(torch, timer):
    for name, c, s in BN_CASES:
        for label, relu in (("batchnorm2d", False), ("batchnorm2d_relu", True)):
            bn = torch.nn.BatchNorm2d(c)
            x = torch.randn(util.BATCH, c, s, s)
            run = (lambda t, bn=bn: torch.relu(bn(t))) if relu else bn

            def forward():
                with torch.no_grad():
                    run(x)

            timer(f"{label}/forward/{name}", forward)
            xg = x.clone().requires_grad_()
            g = torch.randn(x.shape)

            def fwd_bwd():
                run(xg).backward(g)
                bn.weight.grad = None
                bn.bias.grad = None
                xg.grad = None

            timer(f"{label}/fwd_bwd/{name}", fwd_bwd)
    for name, fin, fout, input_grad in LINEAR_CASES:
        lin = torch.nn.Linear(fin, fout)
        x = torch.randn(util.BATCH, fin)

        def forward():
            with torch.no_grad():
                lin(x)

        timer(f"linear/forward/{name}", forward)
        xg = x.clone().requires_grad_(input_grad)
        g = torch.randn(util.BATCH, fout)

        def fwd_bwd():
            lin(xg).backward(g)
            lin.weight.grad = None
            lin.bias.grad = None
            xg.grad = None

        timer(f"linear/fwd_bwd/{name}", fwd_bwd)


if __name__ == "__main__":
    util.main(__file__, measure, SHAPES)
