#!/usr/bin/python3
"""torchvision parity fixtures for nabla's DenseNet, GoogLeNet and SqueezeNet (tests/models/zoo_dense_test.cpp).

Run with Debian's python3-torchvision:  /usr/bin/python3 tools/parity/zoo_dense.py
Writes tests/fixtures/parity/zoo_dense.safetensors: for each model below, its state_dict key
shapes, input shape and eval-mode logits after zoo_fill.py's deterministic filling (see its
docstring). The full-size architectures run on 64x64 inputs, the smallest size every stage of
them accepts; densenet_bc is Huang et al.'s DenseNet-BC (k=12, depth 100) for 1x28x28 inputs,
built from torchvision's DenseNet with the 3x3 stem of the paper's CIFAR models.
"""
import os
import warnings

import torch
import torch.nn as nn
import torchvision.models as tvm
from torchvision.models.densenet import DenseNet

from safetensors_writer import write_safetensors
from zoo_fill import model_entries


def densenet_bc():
    """DenseNet-BC k=12, depth 100, compression 0.5, for one input channel and 10 classes."""
    net = DenseNet(growth_rate=12, block_config=(16, 16, 16), num_init_features=24, num_classes=10)
    net.features.conv0 = nn.Conv2d(1, 24, kernel_size=3, stride=1, padding=1, bias=False)
    del net.features.norm0, net.features.relu0, net.features.pool0
    return net


def main():
    warnings.filterwarnings("ignore")
    torch.manual_seed(0)
    models = {
        "densenet121": (tvm.densenet121(), (1, 3, 64, 64)),
        "densenet_bc": (densenet_bc(), (1, 1, 28, 28)),
        "googlenet": (tvm.googlenet(aux_logits=False, init_weights=False), (1, 3, 64, 64)),
        # With its auxiliary heads (unused in eval mode): checks their names and shapes.
        "googlenet_aux": (tvm.googlenet(aux_logits=True, init_weights=False), (1, 3, 64, 64)),
        "squeezenet1_0": (tvm.squeezenet1_0(), (1, 3, 64, 64)),
        "squeezenet1_1": (tvm.squeezenet1_1(), (1, 3, 64, 64)),
    }
    entries = {}
    for name, (model, shape) in models.items():
        entries.update(model_entries(name, model, shape))
    out = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "parity", "zoo_dense.safetensors")
    write_safetensors(out, entries)
    print("wrote", os.path.normpath(out), len(entries), "tensors")


if __name__ == "__main__":
    main()
