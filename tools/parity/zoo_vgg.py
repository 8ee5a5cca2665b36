#!/usr/bin/python3
"""Parity fixture of VGG and AlexNet (include/nabla/models/vgg.h, alexnet.h) against torchvision.

Run with Debian's python3-torchvision:  /usr/bin/python3 tools/parity/zoo_vgg.py
Writes tests/fixtures/parity/zoo_vgg.safetensors: for vgg11 … vgg19_bn and alexnet at their
published configuration (1000 classes), filled by zoo_fill's rule, the logits and the list of
state_dict keys and shapes. The VGGs run on (1, 3, 32, 32) (five pools leave 1×1, which the
adaptive pool repeats to 7×7); AlexNet needs (1, 3, 63, 63) to keep a positive size through its
strided convolution and three pools. tests/models/zoo_vgg_test.cpp reads it.
"""
import os

import torchvision.models as tvm

from safetensors_writer import write_safetensors
from zoo_fill import model_entries

VGGS = ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]


def main():
    out = {}
    for name in VGGS:
        out.update(model_entries(name, getattr(tvm, name)(), (1, 3, 32, 32)))
    out.update(model_entries("alexnet", tvm.alexnet(), (1, 3, 63, 63)))
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "tests", "fixtures", "parity", "zoo_vgg.safetensors")
    write_safetensors(path, out)
    print("wrote", os.path.normpath(path), len(out), "tensors")


if __name__ == "__main__":
    main()
