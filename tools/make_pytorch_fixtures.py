#!/usr/bin/env python3
"""Writes the PyTorch checkpoints under tests/fixtures/pytorch/ that tests/io/pytorch_test.cpp reads.

Every .pth is written by torch.save itself (the zip format, and the legacy format with
_use_new_zipfile_serialization=False), so nabla's reader is checked against the real writer. The
expected tensors are written beside them as .safetensors by tools/parity/safetensors_writer.py, so
neither the tests nor this script need the `safetensors` package.

The zip files are byte-for-byte reproducible; the legacy ones differ between runs only in their
storage keys, which torch takes from C pointers (str(storage._cdata)).

Usage: /usr/bin/python3 tools/make_pytorch_fixtures.py [out_dir]   (default: tests/fixtures/pytorch)
"""
import os
import sys
import zipfile

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "parity"))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
from safetensors_writer import write_safetensors  # noqa: E402
from zoo_models import CifarResNet  # noqa: E402  (nabla's zoo keys)

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "pytorch")


def path(name):
    return os.path.join(OUT, name)


def save_both(name, obj):
    """name.pth (zip) and name_legacy.pth."""
    torch.save(obj, path(name + ".pth"))
    torch.save(obj, path(name + "_legacy.pth"), _use_new_zipfile_serialization=False)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4, 5)

    def forward(self, x):
        return self.fc(F.relu(self.bn(self.conv(x))).mean((2, 3)))


def randomize_bn(model):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.8, 1.2)
            m.bias.data.uniform_(-0.1, 0.1)
            m.num_batches_tracked.fill_(7)


def lenet5():
    """nabla's models::lenet5 without batch norm (features.*, classifier.*)."""
    features = nn.Sequential(nn.Conv2d(1, 6, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                             nn.MaxPool2d(2))
    classifier = nn.Sequential(nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                               nn.Linear(84, 10))
    return nn.Sequential(OrderedDictLike(features=features, classifier=classifier))


def OrderedDictLike(**kw):
    from collections import OrderedDict
    return OrderedDict(kw)


def torchvision_models():
    """(name, constructor) of the torchvision models tests/io/pytorch_test.cpp builds in nabla."""
    import torchvision
    tv = torchvision.models
    return [
        ("tv_mobilenet_v2_w025", lambda: tv.mobilenet_v2(num_classes=10, width_mult=0.25)),
        ("tv_shufflenet_v2_tiny", lambda: tv.ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 128], num_classes=10)),
        ("tv_densenet_tiny", lambda: tv.DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8, bn_size=2,
                                                 num_classes=10)),
        ("tv_mobilenet_v3_small_w025", lambda: tv.mobilenet_v3_small(num_classes=10, width_mult=0.25)),
    ]


def save_unsupported_dtypes():
    """unsupported_dtypes(.pth, _legacy.pth): one nested dict per dtype nabla has no counterpart for
    (complex64, complex128, quantized per tensor and per channel), beside "float", which loads.
    Fixed values, no random draws: the other fixtures' random streams stay as they were."""
    x = torch.tensor([0.5, -1.0, 2.0])
    dicts = {
        "float": {"w": torch.tensor([1.0, 2.0])},
        "complex64": {"w": torch.tensor([1.0, 2.0]), "z": torch.tensor([1 + 2j, -0.5j], dtype=torch.complex64)},
        "complex128": {"z": torch.tensor([3 - 1j], dtype=torch.complex128)},
        "qint8": {"q": torch.quantize_per_tensor(x, 0.1, 0, torch.qint8)},
        "quint8": {"q": torch.quantize_per_tensor(x, 0.1, 128, torch.quint8)},
        "qint8_per_channel": {"q": torch.quantize_per_channel(torch.stack([x, 2 * x]), torch.tensor([0.1, 0.2]),
                                                              torch.tensor([0, 0]), 0, torch.qint8)},
    }
    save_both("unsupported_dtypes", dicts)


def save_lenet5_misshaped():
    """lenet5_misshaped.pth: LeNet-5's keys and shapes (no batch norm) except features.3.weight,
    (16, 6, 3, 3) instead of (16, 6, 5, 5): nabla train --init must refuse it, naming that key.
    Every tensor is a stride-0 view of one zero, so the file stores a single 4-byte storage."""
    zero = torch.zeros(1)
    shapes = {k: tuple(v.shape) for k, v in lenet5().state_dict().items()}
    shapes["features.3.weight"] = (16, 6, 3, 3)
    torch.save({k: zero.expand(s) for k, s in shapes.items()}, path("lenet5_misshaped.pth"))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)

    # A small CNN's state dict, both formats; the expected tensors.
    cnn = SmallCNN()
    randomize_bn(cnn)
    sd = cnn.state_dict()
    save_both("small_cnn", sd)
    write_safetensors(path("small_cnn.expected.safetensors"), dict(sd))

    # Every dtype nabla reads (torch.save also writes complex and quantized tensors, which nabla
    # refuses: unsupported_dtypes below), a 0-d tensor and an empty one.
    dt = {
        "f32": torch.randn(2, 3),
        "f64": torch.randn(3, dtype=torch.float64),
        "f16": torch.randn(4).half(),
        "bf16": torch.randn(2, 2).bfloat16(),
        "i64": torch.tensor([-(2 ** 40), 0, 2 ** 40]),
        "i32": torch.tensor([[-7, 8], [9, -(2 ** 31)]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 1, 32767], dtype=torch.int16),
        "i8": torch.tensor([-128, -1, 127], dtype=torch.int8),
        "u8": torch.tensor([0, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
    }
    save_both("dtypes", dt)
    write_safetensors(path("dtypes.expected.safetensors"), dt)

    # Views sharing one storage: offsets, steps, a transpose, a row, a column, an element.
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    views = {"base": base, "slice": base[1:, ::2], "t": base.t(), "row": base[2], "col": base[:, 3],
             "elem": base[1, 1], "tail": base.view(-1)[5:17].view(3, 4)}
    save_both("views", views)
    write_safetensors(path("views.expected.safetensors"), {k: v.contiguous() for k, v in views.items()})

    # A training checkpoint: the model under "model", an optimizer, the epoch, a deeper entry.
    opt = torch.optim.SGD(cnn.parameters(), lr=0.1, momentum=0.9)
    cnn(torch.randn(2, 3, 5, 5)).sum().backward()
    opt.step()
    ema = {"fc.weight": cnn.fc.weight.detach().clone(), "fc.bias": cnn.fc.bias.detach().clone()}
    nested = {"model": cnn.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "extra": {"ema": {"model": ema}}}
    torch.save(nested, path("nested.pth"))
    write_safetensors(path("nested_model.expected.safetensors"), dict(cnn.state_dict()))
    write_safetensors(path("nested_ema.expected.safetensors"), ema)

    # A CIFAR ResNet-8 with nabla's zoo keys, an input and torch's logits.
    net = CifarResNet(8)
    randomize_bn(net)
    net.eval()
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        logits = net(x)
    torch.save(net.state_dict(), path("resnet8.pth"))
    write_safetensors(path("resnet8_io.safetensors"), {"input": x, "logits": logits})

    # LeNet-5 (no batch norm) whose last layer is named "fc" instead of "classifier.5": nabla train
    # --init refuses it strictly and loads the other six tensors with --init-non-strict.
    le = lenet5().state_dict()
    renamed = {("fc." + k[len("classifier.5."):] if k.startswith("classifier.5.") else k): v for k, v in le.items()}
    torch.save(renamed, path("lenet5_renamed.pth"))

    # A pickle that would run os.system under pickle.load: must be refused, naming the global.
    payload = b"\x80\x02cos\nsystem\nX\x14\x00\x00\x00echo nabla-was-owned\x85R."
    with zipfile.ZipFile(path("malicious.pth"), "w", zipfile.ZIP_STORED) as z:
        for name, data in (("malicious/data.pkl", payload), ("malicious/version", b"3\n")):
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)

    # Small torchvision models whose module structure nabla's zoo reproduces key for key: each
    # with its own seed, randomized batch-norm statistics, an input and torch's eval-mode logits.
    for seed, (name, make) in enumerate(torchvision_models(), start=100):
        torch.manual_seed(seed)
        model = make()
        randomize_bn(model)
        model.eval()
        x = torch.randn(2, 3, 32, 32)
        with torch.no_grad():
            logits = model(x)
        torch.save(model.state_dict(), path(name + ".pth"))
        write_safetensors(path(name + "_io.safetensors"), {"input": x, "logits": logits})

    save_unsupported_dtypes()
    save_lenet5_misshaped()


if __name__ == "__main__":
    main()
