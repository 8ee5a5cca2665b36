"""Full-size check of the model zoo against torchvision with real, seeded initial weights.

For each model: torchvision builds it at its published configuration (3x224x224 input, 1000
classes) with torch.manual_seed(SEED) and its own initialisation, in eval mode; its state_dict
(written by torch.save as a .pth, or as safetensors with --format safetensors), an input batch
and its logits go to a temporary folder, and
build/torchvision_weights (examples/torchvision_weights.cpp) loads the state_dict into nabla's model of the same name
(strict: the same keys and shapes) and compares the logits (largest difference relative to the
largest logit magnitude, 1e-4 by default). The committed fixtures (tests/fixtures/parity/zoo_*)
check the same architectures with rule-filled weights; this script is the developer's check with
torchvision's own initialisation, a few minutes and a few GB of memory for the whole table.
With --format onnx the whole model goes through torch.onnx.export (opset 17, dynamic batch) and
nabla runs the imported graph (onnx::load) instead of its own architecture.

Usage: /usr/bin/python3 tools/parity/zoo_full_check.py [--build build] [--batch 2] [--seed 0]
                               [--tolerance 1e-4] [--format pth|safetensors|onnx] [MODEL ...]
Exit status 1 when any model misses the tolerance.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_writer import write_safetensors  # noqa: E402

TABLE = ["alexnet", "vgg11", "vgg11_bn", "vgg16", "vgg16_bn", "vgg19", "googlenet", "resnet18", "resnet34",
         "resnet50", "resnet101", "resnet152", "wide_resnet50_2", "resnext50_32x4d", "densenet121",
         "squeezenet1_0", "squeezenet1_1", "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2_x1_0", "vit_b_16"]


def build_torchvision(name):
    """torchvision's model `name` with its default initialisation (GoogLeNet without aux heads).

    A classifier that torchvision initialises to zero (ViT's heads.head) would make every logit 0
    and the comparison empty; its weight is drawn from N(0, 0.02) instead, and the script says so.
    """
    if name == "googlenet":
        model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True)
    else:
        model = getattr(torchvision.models, name)(weights=None)
    last = [m for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))][-1]
    if not last.weight.detach().any():
        torch.nn.init.normal_(last.weight, std=0.02)
        print(f"{name}: the zero-initialised classifier weight is drawn from N(0, 0.02) for the check")
    return model


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("models", nargs="*", default=TABLE)
    p.add_argument("--build", default="build")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--format", choices=["pth", "safetensors", "onnx"], default="pth",
                   help="how the model reaches nabla: its state_dict by torch.save (read by io::load_pytorch) or "
                        "safetensors, or the whole model by torch.onnx.export (read by onnx::load)")
    args = p.parse_args()
    program = os.path.join(args.build, "torchvision_weights")
    if not os.access(program, os.X_OK):
        sys.exit(f"zoo_full_check.py: {program} not found; build it (ninja -C {args.build} torchvision_weights)")
    torch.set_num_threads(os.cpu_count() or 1)
    failed = []
    for name in args.models:
        torch.manual_seed(args.seed)
        model = build_torchvision(name).eval()
        x = torch.randn(args.batch, 3, 224, 224)
        with torch.no_grad():
            logits = model(x)
        with tempfile.TemporaryDirectory() as tmp:
            weights, check = os.path.join(tmp, "weights." + args.format), os.path.join(tmp, "check.safetensors")
            if args.format == "pth":
                torch.save(model.state_dict(), weights)
            elif args.format == "onnx":
                torch.onnx.export(model, (x,), weights, opset_version=17, input_names=["input"],
                                  output_names=["output"], dynamic_axes={"input": {0: "batch"}})
            else:
                write_safetensors(weights, model.state_dict())
            write_safetensors(check, {"input": x, "logits": logits})
            del model
            t0 = time.time()
            r = subprocess.run([program, name, weights, check, str(args.tolerance)], capture_output=True, text=True)
        print((r.stdout + r.stderr).strip(), f"[{time.time() - t0:.1f} s]", flush=True)
        if r.returncode != 0:
            failed.append(name)
    print(f"{len(args.models) - len(failed)} of {len(args.models)} models within {args.tolerance}"
          + (f"; failed: {' '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
