#!/usr/bin/python3
"""Merges nabla's layer benchmarks (conv_bench, pool_bench, norm_bench; Google Benchmark JSON,
one file per binary and thread setting) with the PyTorch twins' results (pytorch_conv.py,
pytorch_pool.py, pytorch_norm.py with --json) into one markdown table. bench/layers_compare.sh
runs everything and calls this script.

Usage: layers_report.py --nabla LABEL=FILE [--nabla ...] --torch FILE [--torch ...] [--cpu]

Rows: every PyTorch case, paired by name with nabla's best time over the --nabla files (the label
of the file that gave it, e.g. t1/t2, is shown). nabla's fused BatchNorm2d+ReLU rows have no
PyTorch twin; they are paired with PyTorch's BatchNorm2d followed by ReLU and left out of the
summary. ratio = PyTorch ms / nabla ms: above 1, nabla is faster.
--cpu adds the process CPU time of the one-thread runs of both sides (nabla's "t1" label,
PyTorch's t1 configuration) and their ratio: on a loaded machine the steadier comparison.
"""
import argparse
import json
import math
import sys

LAYERS = {"conv2d": "Conv2d", "batchnorm2d": "BatchNorm2d", "batchnorm2d_relu": "BatchNorm2d+ReLU",
          "batchnorm2d_relu_fused": "BatchNorm2d+ReLU (nabla fused)", "linear": "Linear",
          "sdpa_causal": "SDPA (causal)", "mha": "MultiheadAttention", "encoder_layer": "TransformerEncoderLayer"}
POOLS = {"maxpool2": "MaxPool2d", "avgpool2": "AvgPool2d", "gap": "AdaptiveAvgPool2d"}
NETWORKS = {"lenet": "LeNet-5", "resnet": "ResNet-20", "vgg": "VGG-11", "mlp": "MLP", "tfm": "Transformer block"}
PASSES = {"forward": "fwd", "fwd_bwd": "fwd+bwd"}
FUSED = "batchnorm2d_relu_fused"


def load_gbench(path):
    """{name: (real ms, main-thread CPU ms)}, the best over repetitions."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"layers_report.py: cannot read Google Benchmark JSON {path}: {e}")
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    out = {}
    for b in data.get("benchmarks", []):
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        name = b.get("run_name", b["name"]).split("/real_time")[0]
        s = scale[b.get("time_unit", "ns")]
        real, cpu = b["real_time"] * s, b["cpu_time"] * s
        prev = out.get(name, (math.inf, math.inf))
        out[name] = (min(real, prev[0]), min(cpu, prev[1]))  # best repetition of each, separately
    return out


def layer_name(name):
    layer, _, case = name.split("/")
    if layer == "pool":
        return POOLS.get(case.split("_")[1], "pool")
    return LAYERS.get(layer, layer)


def fmt(ms):
    if ms >= 100:
        return f"{ms:.0f}"
    if ms >= 10:
        return f"{ms:.1f}"
    if ms >= 1:
        return f"{ms:.2f}"
    return f"{ms:.3f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nabla", action="append", default=[], metavar="LABEL=FILE", required=True)
    parser.add_argument("--torch", action="append", default=[], metavar="FILE", required=True)
    parser.add_argument("--cpu", action="store_true", help="add one-thread CPU time columns")
    args = parser.parse_args()

    ours = {}  # name -> {label: (real ms, cpu ms)}
    for spec in args.nabla:
        label, sep, path = spec.partition("=")
        if not sep:
            parser.error(f"--nabla expects LABEL=FILE, got {spec!r}")
        for name, t in load_gbench(path).items():
            ours.setdefault(name, {})[label] = t
    theirs = {}
    for path in args.torch:
        try:
            with open(path) as f:
                theirs.update(json.load(f))
        except (OSError, ValueError) as e:
            sys.exit(f"layers_report.py: cannot read PyTorch results {path}: {e}")

    rows = []  # (name, torch name)
    for name in theirs:
        rows.append((name, name))
        layer, p, case = name.split("/")
        fused = f"{FUSED}/{p}/{case}"
        if layer == "batchnorm2d_relu" and fused in ours:
            rows.append((fused, name))
    missing_nabla = [n for n, _ in rows if n not in ours]
    missing_torch = [n for n in ours if n not in theirs and not n.startswith(FUSED + "/")]
    for what, names in (("nabla", missing_nabla), ("PyTorch", missing_torch)):
        if names:
            print(f"layers_report.py: warning: no {what} result for: {', '.join(names)}", file=sys.stderr)

    header = "| layer | shape | pass | nabla ms | PyTorch ms | ratio |"
    rule = "|---|---|---|---:|---:|---:|"
    if args.cpu:
        header += " nabla t1 CPU ms | PyTorch t1 CPU ms | CPU ratio |"
        rule += "---:|---:|---:|"
    print(header)
    print(rule)
    ratios, cpu_ratios = [], []
    for name, tname in rows:
        if name not in ours:
            continue
        label, (real, _) = min(ours[name].items(), key=lambda kv: kv[1][0])
        t = theirs[tname]
        ratio = t["ms"] / real
        case = name.split("/")[2]
        net = NETWORKS.get(case.split("_")[0], case.split("_")[0])
        line = (f"| {layer_name(name)} | {net}: {t.get('shape') or case} | {PASSES.get(name.split('/')[1], '?')} "
                f"| {fmt(real)} ({label}) | {fmt(t['ms'])} ({t['config']}) | {ratio:.2f} |")
        if args.cpu:
            n1, t1 = ours[name].get("t1"), t.get("t1_cpu_ms")
            if n1 and t1:
                line += f" {fmt(n1[1])} | {fmt(t1)} | {t1 / n1[1]:.2f} |"
                if not name.startswith(FUSED + "/"):
                    cpu_ratios.append((t1 / n1[1], name))
            else:
                line += " – | – | – |"
        print(line)
        if not name.startswith(FUSED + "/"):
            ratios.append((ratio, name))
    if not ratios:
        sys.exit("layers_report.py: no case was measured on both sides")

    def summary(values, what):
        geo = math.exp(sum(math.log(r) for r, _ in values) / len(values))
        worst = min(values)
        slower = sum(1 for r, _ in values if r < 1)
        return (f"{what}: geometric mean ratio {geo:.2f} over {len(values)} cases; nabla slower on "
                f"{slower}; slowest case {worst[1]} (ratio {worst[0]:.2f}).")

    print()
    print(summary(ratios, "Best of t1/t2 wall time"))
    if cpu_ratios:
        print(summary(cpu_ratios, "One-thread process CPU time"))
    print("ratio = PyTorch ms / nabla ms (above 1: nabla faster); t1/t2 = the thread setting that gave the best time. "
          "Fused BatchNorm2d+ReLU rows (vs PyTorch's two ops) are not in the summary.")


if __name__ == "__main__":
    main()
