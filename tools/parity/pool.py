#!/usr/bin/python3
"""PyTorch parity fixtures for nabla's pooling, resampling and pixel-shuffle layers.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/pool.py
Writes tests/fixtures/parity/pool.safetensors. For every configuration NAME below it stores
  NAME.x (the input), NAME.gy (the upstream gradient), NAME.y = layer(x),
  NAME.gx (gradient of sum(y * gy) with respect to x) and, for layers returning indices,
  NAME.indices. Unpooling cases also store NAME.indices (from the max pooling that made x).
tests/nn/parity_pool_test.cpp rebuilds each layer with the same arguments (keep both tables in sync).
"""
import os

import torch

from safetensors_writer import write_safetensors
import torch.nn as nn
import torch.nn.functional as F

f32, f64 = torch.float32, torch.float64


def randn(*shape, dtype=f32):
    return torch.randn(shape, dtype=dtype)


def positive(*shape, dtype=f32):
    """Inputs for power-average pooling with odd or fractional p: x^p needs x > 0."""
    return torch.rand(shape, dtype=dtype) + 0.1


# name: (function x -> y or (y, indices), input maker)
CONFIGS = {
    # max pooling
    "mp1d_pad_dil": (nn.MaxPool1d(3, stride=2, padding=1, dilation=2), lambda: randn(2, 3, 11)),
    "mp1d_ceil": (nn.MaxPool1d(2, ceil_mode=True), lambda: randn(2, 2, 7)),
    "mp2d_basic": (nn.MaxPool2d(2), lambda: randn(2, 3, 8, 6)),
    "mp2d_ceil_pad": (nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), lambda: randn(2, 2, 8, 7)),
    "mp2d_overlap": (nn.MaxPool2d((3, 2), stride=(2, 1)), lambda: randn(2, 2, 7, 6)),
    "mp2d_dilation": (nn.MaxPool2d(2, stride=1, padding=1, dilation=2), lambda: randn(1, 2, 6, 7)),
    "mp2d_indices": (nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True, return_indices=True),
                     lambda: randn(2, 2, 8, 7)),
    "mp2d_rows": (nn.MaxPool2d(2, return_indices=True), lambda: randn(2, 3, 6, 16)),  # the long-row 2×2 path
    "mp2d_rows_odd": (nn.MaxPool2d(2, return_indices=True), lambda: randn(1, 2, 5, 17)),
    "mp2d_unbatched": (nn.MaxPool2d(2, ceil_mode=True), lambda: randn(3, 5, 5)),
    "mp3d": (nn.MaxPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True, return_indices=True),
             lambda: randn(2, 2, 4, 6, 5)),
    "mp2d_f64": (nn.MaxPool2d(3, stride=2, padding=1), lambda: randn(2, 2, 7, 6, dtype=f64)),
    # average pooling
    "ap1d_basic": (nn.AvgPool1d(2), lambda: randn(2, 2, 7)),
    "ap1d_pad_ceil_nocount": (nn.AvgPool1d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                              lambda: randn(2, 3, 10)),
    "ap2d_basic": (nn.AvgPool2d(2), lambda: randn(2, 3, 8, 6)),
    "ap2d_pad_ceil": (nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), lambda: randn(2, 2, 8, 7)),
    "ap2d_pad_ceil_nocount": (nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                              lambda: randn(2, 2, 8, 7)),
    "ap2d_divisor": (nn.AvgPool2d((3, 2), stride=(2, 1), padding=(1, 0), divisor_override=5),
                     lambda: randn(2, 2, 7, 6)),
    "ap2d_overlap": (nn.AvgPool2d(3, stride=1), lambda: randn(1, 2, 6, 6)),
    "ap3d": (nn.AvgPool3d((2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), ceil_mode=True, count_include_pad=False),
             lambda: randn(2, 2, 4, 6, 5)),
    "ap3d_divisor_f64": (nn.AvgPool3d(2, stride=1, padding=1, divisor_override=3), lambda: randn(1, 2, 3, 4, 3, dtype=f64)),
    # adaptive pooling (non-divisible sizes, global, output larger than input)
    "aap1d": (nn.AdaptiveAvgPool1d(4), lambda: randn(2, 3, 10)),
    "aap2d": (nn.AdaptiveAvgPool2d((3, 4)), lambda: randn(2, 3, 7, 9)),
    "aap2d_global": (nn.AdaptiveAvgPool2d(1), lambda: randn(2, 4, 5, 5)),
    "aap2d_up": (nn.AdaptiveAvgPool2d((5, 7)), lambda: randn(1, 2, 3, 4)),
    "aap3d": (nn.AdaptiveAvgPool3d((2, 3, 2)), lambda: randn(1, 2, 5, 7, 3)),
    "amp1d": (nn.AdaptiveMaxPool1d(4, return_indices=True), lambda: randn(2, 3, 10)),
    "amp2d": (nn.AdaptiveMaxPool2d((3, 4), return_indices=True), lambda: randn(2, 3, 7, 9)),
    "amp2d_up": (nn.AdaptiveMaxPool2d(5), lambda: randn(1, 2, 3, 4)),
    "amp3d_f64": (nn.AdaptiveMaxPool3d((2, 3, 2), return_indices=True), lambda: randn(1, 2, 5, 7, 3, dtype=f64)),
    # power-average pooling
    "lp2d_p2": (nn.LPPool2d(2, 2), lambda: randn(2, 3, 6, 6)),
    "lp2d_p3_ceil": (nn.LPPool2d(3, (3, 2), stride=2, ceil_mode=True), lambda: positive(2, 2, 7, 6)),
    "lp1d": (nn.LPPool1d(1.5, 3, stride=2), lambda: positive(2, 3, 9)),
    # interpolation
    "up_nearest_scale2": (nn.Upsample(scale_factor=2, mode="nearest"), lambda: randn(2, 3, 4, 5)),
    "up_nearest_size": (lambda x: F.interpolate(x, size=(7, 9), mode="nearest"), lambda: randn(2, 2, 4, 5)),
    "up_nearest_frac": (lambda x: F.interpolate(x, scale_factor=(1.5, 2.3), mode="nearest"), lambda: randn(1, 2, 5, 4)),
    "up_nearest_down": (lambda x: F.interpolate(x, size=(3, 2), mode="nearest"), lambda: randn(1, 2, 7, 5)),
    "up_nearest_1d": (lambda x: F.interpolate(x, scale_factor=3, mode="nearest"), lambda: randn(2, 3, 5)),
    "up_nearest_3d": (lambda x: F.interpolate(x, size=(3, 5, 4), mode="nearest"), lambda: randn(1, 2, 2, 3, 3)),
    "up_bilinear_ac": (nn.Upsample(size=(7, 9), mode="bilinear", align_corners=True), lambda: randn(2, 2, 4, 5)),
    "up_bilinear_noac": (nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), lambda: randn(2, 2, 4, 5)),
    "up_bilinear_frac": (lambda x: F.interpolate(x, scale_factor=(1.7, 0.6), mode="bilinear", align_corners=False),
                         lambda: randn(1, 2, 5, 6)),
    "up_bilinear_recompute": (lambda x: F.interpolate(x, scale_factor=(1.7, 0.6), mode="bilinear",
                                                      align_corners=False, recompute_scale_factor=True),
                              lambda: randn(1, 2, 5, 6)),
    "up_linear_ac": (lambda x: F.interpolate(x, size=9, mode="linear", align_corners=True), lambda: randn(2, 3, 5)),
    "up_linear_noac": (lambda x: F.interpolate(x, scale_factor=2.5, mode="linear", align_corners=False),
                       lambda: randn(2, 3, 5)),
    "up_bilinear_f64": (lambda x: F.interpolate(x, size=(5, 3), mode="bilinear", align_corners=False),
                        lambda: randn(1, 2, 3, 7, dtype=f64)),
    # pixel shuffle
    "ps2": (nn.PixelShuffle(2), lambda: randn(2, 8, 3, 4)),
    "ps3": (nn.PixelShuffle(3), lambda: randn(1, 9, 2, 2)),
    "pu2": (nn.PixelUnshuffle(2), lambda: randn(2, 2, 4, 6)),
}

# Unpooling: name -> (pooling layer with return_indices, unpooling function (x, indices) -> y, input maker)
UNPOOL_CONFIGS = {
    "unpool2d_basic": (nn.MaxPool2d(2, return_indices=True), lambda x, i: nn.MaxUnpool2d(2)(x, i),
                       lambda: randn(2, 3, 6, 8)),
    "unpool2d_outsize": (nn.MaxPool2d(3, stride=2, padding=1, return_indices=True),
                         lambda x, i: nn.MaxUnpool2d(3, stride=2, padding=1)(x, i, output_size=(8, 7)),
                         lambda: randn(1, 2, 7, 7)),
    "unpool2d_default_size": (nn.MaxPool2d(3, stride=2, padding=1, return_indices=True),
                              lambda x, i: F.max_unpool2d(x, i, 3, stride=2, padding=1),
                              lambda: randn(1, 2, 7, 7)),
}


def main():
    torch.manual_seed(0)
    out = {}
    for name, (fn, make) in CONFIGS.items():
        x = make().requires_grad_()
        r = fn(x)
        y, indices = r if isinstance(r, tuple) else (r, None)
        gy = torch.randn(y.shape, dtype=y.dtype)
        (gx,) = torch.autograd.grad(y, x, gy)
        out.update({f"{name}.x": x, f"{name}.gy": gy, f"{name}.y": y, f"{name}.gx": gx})
        if indices is not None:
            out[f"{name}.indices"] = indices
    for name, (pool, unpool, make) in UNPOOL_CONFIGS.items():
        pooled, indices = pool(make())
        x = pooled.detach().requires_grad_()
        y = unpool(x, indices)
        gy = torch.randn(y.shape, dtype=y.dtype)
        (gx,) = torch.autograd.grad(y, x, gy)
        out.update({f"{name}.x": x, f"{name}.indices": indices, f"{name}.gy": gy, f"{name}.y": y, f"{name}.gx": gx})
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "tests", "fixtures", "parity", "pool.safetensors")
    write_safetensors(path, out)
    print(f"wrote {len(out)} tensors to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
