#!/usr/bin/python3
"""Parity fixture of the ResNet family (include/nabla/models/resnet.h) against torchvision.

Run with Debian's python3-torchvision:  /usr/bin/python3 tools/parity/zoo_resnet.py
Writes tests/fixtures/parity/zoo_resnet.safetensors: for each of the seven torchvision ResNets at
its published configuration (1000 classes), filled by zoo_fill's rule, the logits on a (1, 3, 64,
64) input (the global average pool takes any size) and the list of state_dict keys and shapes.
tests/models/zoo_resnet_test.cpp reads it.
"""
import os

import torchvision.models as tvm

from safetensors_writer import write_safetensors
from zoo_fill import model_entries

MODELS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "wide_resnet50_2", "resnext50_32x4d"]


def main():
    out = {}
    for name in MODELS:
        out.update(model_entries(name, getattr(tvm, name)(), (1, 3, 64, 64)))
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "tests", "fixtures", "parity", "zoo_resnet.safetensors")
    write_safetensors(path, out)
    print("wrote", os.path.normpath(path), len(out), "tensors")


if __name__ == "__main__":
    main()
