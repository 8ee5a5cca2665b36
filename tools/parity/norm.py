#!/usr/bin/python3
"""PyTorch parity fixtures for nabla's Linear, normalisation, activation and Embedding layers.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/norm.py
Writes tests/fixtures/parity/norm.safetensors. For every configuration NAME below it stores
  NAME.x (input; int64 indices for Embedding), NAME.gy (upstream gradient), NAME.y = layer(x),
  NAME.gx and NAME.g<param> (gradients of sum(y * gy)), NAME.<param> (parameters, randomised so
  that weight != 1 and bias != 0), NAME.<buffer> (running stats before the step, randomised for
  eval-mode cases) and NAME.<buffer>_after (buffers after the step: running-stat updates).
tests/nn/parity_norm_test.cpp rebuilds each layer with the same arguments (keep both tables in sync).
Dropout is random and is checked statistically in the C++ test, not here.
"""
import os

import torch

from safetensors_writer import write_safetensors
import torch.nn as nn

F32, F64 = torch.float32, torch.float64

# name: (constructor, input shape, dtype, mode) with mode "train" or "eval" (eval cases get random
# running stats first). Activations and Embedding have no mode-dependent behaviour ("train").
CONFIGS = {
    "linear_3d": (lambda: nn.Linear(5, 4), (2, 3, 5), F32, "train"),
    "linear_nobias_f64": (lambda: nn.Linear(6, 3, bias=False), (4, 6), F64, "train"),
    "bn1d_nc": (lambda: nn.BatchNorm1d(4), (6, 4), F32, "train"),
    "bn1d_ncl": (lambda: nn.BatchNorm1d(3, momentum=0.3), (4, 3, 5), F32, "train"),
    "bn2d_train": (lambda: nn.BatchNorm2d(3), (4, 3, 5, 6), F32, "train"),
    "bn2d_eval": (lambda: nn.BatchNorm2d(3), (2, 3, 4, 4), F32, "eval"),
    "bn2d_cumulative": (lambda: nn.BatchNorm2d(2, momentum=None), (3, 2, 3, 3), F32, "train"),
    "bn2d_noaffine_f64": (lambda: nn.BatchNorm2d(3, affine=False), (3, 3, 4, 2), F64, "train"),
    "bn2d_notrack": (lambda: nn.BatchNorm2d(2, track_running_stats=False), (3, 2, 3, 3), F32, "eval"),
    "bn3d_train": (lambda: nn.BatchNorm3d(2, eps=1e-3), (2, 2, 3, 3, 2), F32, "train"),
    "ln_2d": (lambda: nn.LayerNorm([3, 4]), (2, 5, 3, 4), F32, "train"),
    "ln_noaffine_f64": (lambda: nn.LayerNorm(6, eps=1e-6, elementwise_affine=False), (4, 6), F64, "train"),
    "gn_affine": (lambda: nn.GroupNorm(2, 6), (3, 6, 4, 3), F32, "train"),
    "gn_noaffine": (lambda: nn.GroupNorm(3, 3, affine=False), (2, 3, 5), F32, "train"),
    "in1d_default": (lambda: nn.InstanceNorm1d(3), (2, 3, 7), F32, "train"),
    "in2d_track_train": (lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 5), F32,
                         "train"),
    "in2d_track_eval": (lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 5), F32,
                        "eval"),
    "lrn_3": (lambda: nn.LocalResponseNorm(3, alpha=0.1, beta=0.75, k=2.0), (2, 5, 3, 3), F32, "train"),
    "lrn_2_f64": (lambda: nn.LocalResponseNorm(2), (2, 4, 5), F64, "train"),
    "relu": (lambda: nn.ReLU(), (4, 7), F32, "train"),
    "leaky_relu": (lambda: nn.LeakyReLU(0.1), (4, 7), F32, "train"),
    "elu": (lambda: nn.ELU(0.8), (4, 7), F32, "train"),
    "selu": (lambda: nn.SELU(), (4, 7), F32, "train"),
    "gelu": (lambda: nn.GELU(), (4, 7), F32, "train"),
    "gelu_tanh": (lambda: nn.GELU(approximate="tanh"), (4, 7), F32, "train"),
    "gelu_f64": (lambda: nn.GELU(), (4, 7), F64, "train"),
    "silu": (lambda: nn.SiLU(), (4, 7), F32, "train"),
    "sigmoid": (lambda: nn.Sigmoid(), (4, 7), F32, "train"),
    "tanh": (lambda: nn.Tanh(), (4, 7), F32, "train"),
    "softplus": (lambda: nn.Softplus(beta=2, threshold=3), (4, 7), F32, "train"),
    "hardtanh": (lambda: nn.Hardtanh(-0.5, 0.8), (4, 7), F32, "train"),
    "softmax": (lambda: nn.Softmax(dim=1), (4, 7), F32, "train"),
    "log_softmax": (lambda: nn.LogSoftmax(dim=0), (4, 7), F64, "train"),
    "embedding_pad": (lambda: nn.Embedding(6, 3, padding_idx=2), (3, 4), torch.int64, "train"),
}


def main():
    torch.manual_seed(0)
    out = {}
    for name, (make, shape, dtype, mode) in CONFIGS.items():
        layer = make()
        is_embedding = isinstance(layer, nn.Embedding)
        layer = layer.to(F32 if is_embedding else dtype)
        with torch.no_grad():
            for pname, p in layer.named_parameters():
                if is_embedding:
                    continue  # keep PyTorch's own init (the padding row is zero)
                p.copy_(torch.randn_like(p) * 0.5 + (1.0 if pname == "weight" else 0.0))
            if mode == "eval":
                for bname, b in layer.named_buffers():
                    if bname == "running_mean":
                        b.copy_(torch.randn_like(b))
                    elif bname == "running_var":
                        b.copy_(torch.rand_like(b) + 0.5)
        for bname, b in layer.named_buffers():
            out[f"{name}.{bname}"] = b.clone()
        for pname, p in layer.named_parameters():
            out[f"{name}.{pname}"] = p.detach().clone()
        layer.train(mode == "train")
        if is_embedding:
            x = torch.tensor([[0, 2, 5, 1], [2, 2, 3, 0], [5, 4, 1, 2]], dtype=torch.int64)
        else:
            x = (torch.randn(shape, dtype=dtype) * 1.5 + 0.3).requires_grad_()
        y = layer(x)
        gy = torch.randn(y.shape, dtype=y.dtype)
        (y * gy).sum().backward()
        out[f"{name}.x"] = x.detach()
        out[f"{name}.y"] = y.detach()
        out[f"{name}.gy"] = gy
        if not is_embedding:
            out[f"{name}.gx"] = x.grad
        for pname, p in layer.named_parameters():
            out[f"{name}.g{pname}"] = p.grad
        for bname, b in layer.named_buffers():
            out[f"{name}.{bname}_after"] = b.clone()
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "parity", "norm.safetensors")
    write_safetensors(os.path.normpath(path), out)
    print(f"wrote {len(out)} tensors to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
