#!/usr/bin/env python3
"""Writes the ONNX models under tests/fixtures/onnx/ that tests/onnx/import_test.cpp runs.

Each model is built by PyTorch with a fixed seed, put in eval mode and written by
torch.onnx.export itself (opset 17, dynamic batch dimension), so nabla's importer is checked
against what the real exporter emits: folded BatchNorm, shape arithmetic (Shape, Gather,
Unsqueeze, Concat), attention as MatMul/Softmax, GELU as Erf, channel shuffle as
Reshape/Transpose. Beside each NAME.onnx, NAME.safetensors holds an input ("input") and
PyTorch's output for it ("output"), written by tools/parity/safetensors_writer.py.

The models under 60 kB (six of them: tiny_mlp, tiny_cnn, upsampler, gru_classifier,
densenet_tiny, lstm_classifier) are also copied to tests/fuzz/corpus/onnx/ as seeds of onnx_fuzz.

Usage: /usr/bin/python3 tools/make_onnx_fixtures.py [out_dir]   (default: tests/fixtures/onnx)
"""
import os
import shutil
import sys

import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "parity"))
sys.path.insert(0, os.path.join(HERE, "..", "bench"))
from safetensors_writer import write_safetensors  # noqa: E402
from zoo_models import CifarResNet  # noqa: E402

ROOT = os.path.join(HERE, "..")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "fixtures", "onnx")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus", "onnx")


class TinyCnn(nn.Module):
    """Conv (padding, groups), BatchNorm, ReLU, ceil-mode max pooling, average pooling, Linear."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
            nn.MaxPool2d(2, ceil_mode=True),
            nn.Conv2d(4, 4, 3, padding=1, groups=2), nn.Hardswish(),
            nn.AvgPool2d(2))
        self.head = nn.Linear(4 * 3 * 3, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class TinyMlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(6, 8), nn.GELU(), nn.Linear(8, 8), nn.Sigmoid(), nn.Linear(8, 3),
                                 nn.LogSoftmax(dim=1))

    def forward(self, x):
        return self.net(x)


class TokenTransformer(nn.Module):
    """Embedding + learned positions + a 2-layer pre-norm Transformer encoder + mean pooling."""

    def __init__(self, vocab=50, d=32, length=8, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(1, length, d) * 0.1)
        layer = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=64, dropout=0.1, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d, classes)

    def forward(self, tokens):
        h = self.encoder(self.embed(tokens) + self.pos)
        return self.head(h.mean(dim=1))


class Upsampler(nn.Module):
    """Transposed convolution, nearest and bilinear resizing, padding, depth-to-space, LeakyReLU."""

    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(3, 8, 3, stride=2, padding=1, output_padding=1)
        self.act = nn.LeakyReLU(0.1)
        self.near = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv = nn.Conv2d(8, 4, 3, padding=1, padding_mode="reflect")
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x):
        y = self.near(self.act(self.up(x)))
        y = torch.nn.functional.interpolate(y, size=(20, 20), mode="bilinear", align_corners=False)
        return self.shuffle(self.conv(y)).tanh()


class RecurrentClassifier(nn.Module):
    """Embedding, a 2-layer bidirectional batch-first LSTM or GRU, mean over time, Linear."""

    def __init__(self, cell, vocab=30, embed=8, hidden=12, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        rnn = nn.LSTM if cell == "lstm" else nn.GRU
        self.rnn = rnn(embed, hidden, num_layers=2, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden, classes)

    def forward(self, tokens):
        y, _ = self.rnn(self.embed(tokens))
        return self.head(y.mean(dim=1))


def models():
    """(name, model, input) for every fixture."""
    torch.manual_seed(0)
    yield "tiny_cnn", TinyCnn(), torch.randn(2, 1, 12, 12)
    yield "tiny_mlp", TinyMlp(), torch.randn(3, 6)
    yield "cifar_resnet8", CifarResNet(8), torch.randn(2, 3, 32, 32)
    yield "mobilenet_v2_w025", torchvision.models.mobilenet_v2(num_classes=10, width_mult=0.25), torch.randn(2, 3, 32, 32)
    yield "shufflenet_v2_tiny", torchvision.models.ShuffleNetV2([2, 2, 2], [8, 16, 32, 64, 128], num_classes=10), \
        torch.randn(2, 3, 32, 32)
    yield "densenet_tiny", torchvision.models.DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8,
                                                       bn_size=2, num_classes=10), torch.randn(2, 3, 32, 32)
    yield "mobilenet_v3_small_tiny", torchvision.models.mobilenet_v3_small(num_classes=10, width_mult=0.25), \
        torch.randn(2, 3, 32, 32)
    yield "vit_tiny", torchvision.models.VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2,
                                                           hidden_dim=32, mlp_dim=64, num_classes=10), \
        torch.randn(2, 3, 32, 32)
    yield "token_transformer", TokenTransformer(), torch.randint(0, 50, (3, 8))
    yield "upsampler", Upsampler(), torch.randn(2, 3, 5, 5)
    yield "lstm_classifier", RecurrentClassifier("lstm"), torch.randint(0, 30, (3, 7))
    yield "gru_classifier", RecurrentClassifier("gru"), torch.randint(0, 30, (3, 7))


def perturb(model):
    """Running statistics away from 0 and 1, so that the folded BatchNorm matters, and parameters
    initialised to zero (ViT's head) drawn small, so that the output is not a constant."""
    g = torch.Generator().manual_seed(1)
    for p in model.parameters():
        if not p.any():
            p.copy_(torch.randn(p.shape, generator=g) * 0.05)
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.copy_(torch.rand(m.running_mean.shape, generator=g) * 0.4 - 0.2)
            m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(CORPUS, exist_ok=True)
    for name, model, x in models():
        with torch.no_grad():
            perturb(model)
        model.eval()
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(model, (x,), path, opset_version=17, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
        with torch.no_grad():
            y = model(x)
        write_safetensors(os.path.join(OUT, name + ".safetensors"), {"input": x, "output": y.contiguous()})
        size = os.path.getsize(path)
        print(f"{name}: {size / 1e3:.1f} kB, output {tuple(y.shape)}")
        if size < 60000:
            shutil.copy(path, os.path.join(CORPUS, name + ".onnx"))


if __name__ == "__main__":
    main()
