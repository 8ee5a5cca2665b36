"""Writes tests/fixtures/parity/zoo_vit.safetensors: torchvision's Vision Transformers filled by
zoo_fill's rule (see its docstring), their logits and state_dict key shapes.

  vit_b_16   torchvision.models.vit_b_16() at (1, 3, 224, 224), the published configuration
  vit_small  torchvision's VisionTransformer(28, patch 4, 6 layers, 4 heads, hidden 128, MLP 256,
             10 classes) with a one-channel conv_proj, at (2, 1, 28, 28): nabla's vit_small

Run with Debian's python3-torchvision: /usr/bin/python3 tools/parity/zoo_vit.py
"""
import os
import sys

import torch
import torchvision
from torchvision.models.vision_transformer import VisionTransformer

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_writer import write_safetensors  # noqa: E402
from zoo_fill import model_entries  # noqa: E402


def vit_small():
    model = VisionTransformer(image_size=28, patch_size=4, num_layers=6, num_heads=4, hidden_dim=128, mlp_dim=256,
                              num_classes=10)
    model.conv_proj = torch.nn.Conv2d(1, 128, kernel_size=4, stride=4)
    return model


def main():
    out = {}
    out.update(model_entries("vit_b_16", torchvision.models.vit_b_16(), (1, 3, 224, 224)))
    out.update(model_entries("vit_small", vit_small(), (2, 1, 28, 28)))
    path = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "parity",
                                         "zoo_vit.safetensors"))
    write_safetensors(path, out)
    print("wrote", path, len(out), "tensors")


if __name__ == "__main__":
    main()
