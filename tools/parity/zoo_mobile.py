#!/usr/bin/python3
"""torchvision parity fixtures for nabla's MobileNet v2, MobileNet v3 small and ShuffleNet v2 1.0x.

Run with Debian's python3-torchvision:  /usr/bin/python3 tools/parity/zoo_mobile.py
Writes tests/fixtures/parity/zoo_mobile.safetensors: for each model its state_dict key shapes, the
input shape and the eval-mode logits after filling every entry by the rule of zoo_fill.py
(tests/models/zoo_mobile_test.cpp checks nabla's models against them). The models are at their
published configuration (1000 classes); the input is 64x64, which every one of them accepts.
"""
import os

import torch
import torchvision.models as tvm

from safetensors_writer import write_safetensors
from zoo_fill import model_entries

MODELS = {
    "mobilenet_v2": tvm.mobilenet_v2,
    "mobilenet_v3_small": tvm.mobilenet_v3_small,
    "shufflenet_v2_x1_0": tvm.shufflenet_v2_x1_0,
}
INPUT_SHAPE = (1, 3, 64, 64)


def main():
    torch.set_num_threads(1)
    entries = {}
    for name, factory in MODELS.items():
        entries.update(model_entries(name, factory(), INPUT_SHAPE))
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "tests", "fixtures", "parity", "zoo_mobile.safetensors")
    write_safetensors(out, entries)
    print("wrote", os.path.normpath(out), len(entries), "tensors")


if __name__ == "__main__":
    main()
