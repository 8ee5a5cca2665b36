#!/usr/bin/python3
"""PyTorch parity fixtures for nabla's convolution layers.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/conv.py
Writes tests/fixtures/parity/conv.safetensors. For every configuration NAME below it stores
  NAME.x, NAME.weight, NAME.bias (when bias=True), NAME.gy (the upstream gradient),
  NAME.y = layer(x), NAME.gx, NAME.gweight, NAME.gbias (gradients of sum(y * gy)).
tests/nn/parity_conv_test.cpp rebuilds each layer with the same arguments (keep both tables in sync).
"""
import os

import torch

from safetensors_writer import write_safetensors
import torch.nn as nn

# name: (layer class, constructor args, constructor kwargs, input shape, dtype)
CONFIGS = {
    "c1d_stride_pad": (nn.Conv1d, (3, 4, 3), dict(stride=2, padding=1), (2, 3, 10), torch.float32),
    "c1d_same_dil_groups": (nn.Conv1d, (4, 6, 3), dict(padding="same", dilation=2, groups=2), (2, 4, 9), torch.float32),
    "c1d_reflect": (nn.Conv1d, (2, 3, 3), dict(padding=2, padding_mode="reflect"), (2, 2, 7), torch.float32),
    "c2d_basic": (nn.Conv2d, (3, 4, 3), dict(padding=1), (2, 3, 7, 6), torch.float32),
    "c2d_strided_dilated": (nn.Conv2d, (3, 5, (3, 2)), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2)),
                            (2, 3, 9, 8), torch.float32),
    "c2d_groups_nobias": (nn.Conv2d, (4, 6, 3), dict(stride=2, groups=2, bias=False), (3, 4, 8, 7), torch.float32),
    "c2d_depthwise": (nn.Conv2d, (4, 8, 3), dict(padding=1, groups=4), (2, 4, 6, 6), torch.float32),
    "c2d_pointwise": (nn.Conv2d, (5, 3, 1), dict(), (2, 5, 4, 3), torch.float32),
    "c2d_reflect": (nn.Conv2d, (2, 3, 3), dict(padding=(1, 2), padding_mode="reflect"), (2, 2, 5, 6), torch.float32),
    "c2d_replicate": (nn.Conv2d, (2, 3, 3), dict(padding=(2, 1), stride=2, padding_mode="replicate"), (2, 2, 5, 6),
                      torch.float32),
    "c2d_circular": (nn.Conv2d, (2, 3, 3), dict(padding=1, padding_mode="circular"), (2, 2, 5, 6), torch.float32),
    "c2d_same_even": (nn.Conv2d, (2, 3, (4, 3)), dict(padding="same", dilation=(1, 2)), (2, 2, 6, 7), torch.float32),
    "c2d_same_reflect": (nn.Conv2d, (2, 2, 4), dict(padding="same", padding_mode="reflect"), (1, 2, 6, 5),
                         torch.float32),
    "c2d_valid_f64": (nn.Conv2d, (3, 4, 3), dict(padding="valid", stride=(1, 2)), (2, 3, 6, 7), torch.float64),
    "c3d_basic": (nn.Conv3d, (2, 3, (2, 3, 2)), dict(stride=(1, 2, 1), padding=(1, 0, 1)), (2, 2, 4, 5, 4),
                  torch.float32),
    "c3d_groups_f64": (nn.Conv3d, (4, 2, 3), dict(padding=1, dilation=(2, 1, 1), groups=2), (1, 4, 5, 4, 4),
                       torch.float64),
    "ct1d_outpad": (nn.ConvTranspose1d, (3, 2, 3), dict(stride=2, padding=1, output_padding=1), (2, 3, 6),
                    torch.float32),
    "ct2d_groups_outpad": (nn.ConvTranspose2d, (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2),
                           (2, 4, 4, 5), torch.float32),
    "ct2d_dilated_nobias": (nn.ConvTranspose2d, (3, 2, (3, 2)),
                            dict(stride=(2, 1), padding=(0, 1), output_padding=(1, 0), dilation=2, bias=False),
                            (2, 3, 4, 4), torch.float32),
    "ct2d_f64": (nn.ConvTranspose2d, (2, 3, 4), dict(stride=3, padding=1, output_padding=2), (1, 2, 3, 3),
                 torch.float64),
}


def main():
    torch.manual_seed(0)
    out = {}
    for name, (cls, args, kwargs, shape, dtype) in CONFIGS.items():
        layer = cls(*args, **kwargs).to(dtype)
        x = torch.randn(shape, dtype=dtype, requires_grad=True)
        y = layer(x)
        gy = torch.randn(y.shape, dtype=dtype)
        (y * gy).sum().backward()
        out[f"{name}.x"] = x
        out[f"{name}.weight"] = layer.weight
        out[f"{name}.gy"] = gy
        out[f"{name}.y"] = y
        out[f"{name}.gx"] = x.grad
        out[f"{name}.gweight"] = layer.weight.grad
        if layer.bias is not None:
            out[f"{name}.bias"] = layer.bias
            out[f"{name}.gbias"] = layer.bias.grad
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    path = os.path.join(root, "tests", "fixtures", "parity", "conv.safetensors")
    write_safetensors(path, out)
    print(f"wrote {len(out)} tensors to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
