"""Shared PyTorch side of nabla's layer benchmarks (bench/pytorch_conv.py, pytorch_pool.py,
pytorch_norm.py): the timing loop, the thread configurations, the command line and the output.

A script defines its cases and a `measure(torch, timer)` function that times them, then
calls `main(...)`. Every script then accepts:
  (no arguments)          measure in each thread configuration, print a table, best per case
  --min-time S            seconds per case and configuration (default 0.5; 5 repeats of S/5)
  --configs t2,t1         which configurations to run (default both)
  --filter REGEX          only the cases whose name (e.g. conv2d/fwd_bwd/vgg_c1_3x32_64_k3) matches
  --json FILE             also write the results: {name: {"ms", "config", "t1_cpu_ms", "shape",
                          "configs": {cfg: [wall ms, cpu ms]}}}, written atomically
  --nabla [LABEL=]FILE    Google Benchmark JSON of the matching nabla binary (may repeat, best
                          kept): adds nabla's time and the ratio to the table
  --worker THREADS        internal: measure in this process, print {name: [wall ms, cpu ms]}

Thread configurations (each in a fresh process: thread settings must be fixed before the first
op). Debian's PyTorch 1.13 starts with one thread, and with more its OpenMP pool competes with
OpenBLAS's own threads for the 2 cores, so the best setting is found by trying:
  t2: OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(2)     t1: torch.set_num_threads(1)
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

CONFIGS = {"t2": ({"OPENBLAS_NUM_THREADS": "1"}, 2), "t1": ({}, 1)}
BATCH = 64
NETWORKS = {"lenet": "LeNet-5", "resnet": "ResNet-20", "vgg": "VGG-11", "mlp": "MLP", "tfm": "Transformer block"}


def time_call(fn, min_time=0.5, repeats=5):
    """(wall ms, process CPU ms) per call of fn(): 3 warm-up calls, then the loop length is
    doubled until one loop lasts min_time/repeats, then the best of `repeats` loops. On a loaded
    machine the CPU time of a one-thread run is the steadier number (it excludes time spent
    descheduled)."""
    for _ in range(3):
        fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - t0 >= min_time / repeats or n >= 1 << 20:
            break
        n *= 2
    wall = cpu = float("inf")
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        wall = min(wall, (time.perf_counter() - t0) / n)
        cpu = min(cpu, (time.process_time() - c0) / n)
    return wall * 1e3, cpu * 1e3


def network(case_name):
    """'resnet_16x32_16_k3' -> 'ResNet-20' (the prefix before the first underscore)."""
    return NETWORKS.get(case_name.split("_", 1)[0], case_name.split("_", 1)[0])


def run_config(script, cfg, min_time, pattern):
    """Runs `script --worker` in a fresh process with configuration cfg; {name: [wall, cpu]}."""
    env_extra, threads = CONFIGS[cfg]
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    env.update(env_extra)
    proc = subprocess.run([sys.executable, script, "--worker", str(threads), "--min-time", str(min_time),
                           "--filter", pattern],
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{os.path.basename(script)}: worker for configuration {cfg} failed "
                 f"(exit {proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_nabla(path):
    """Best real time per benchmark name in ms, from Google Benchmark's JSON output."""
    with open(path) as f:
        data = json.load(f)
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
    times = {}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        name = b.get("run_name", b["name"]).split("/real_time")[0]
        t = b["real_time"] * scale[b.get("time_unit", "ns")]
        times[name] = min(t, times.get(name, float("inf")))
    return times


def write_json_atomic(path, obj):
    """Writes obj as JSON to path through a temporary file in the same directory and a rename."""
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(obj, f, indent=1)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(script, measure, shapes, unit="ms"):
    """Command line of a layer benchmark script (see the module docstring).

    script: the script's __file__; measure(torch, timer) calls timer(name, fn) for every case
    (fn() runs it once; cases not matching --filter are skipped); shapes: {case name: human-readable shape}, used in the JSON
    output; unit: "ms" or "us", for the printed table only."""
    parser = argparse.ArgumentParser(description=f"PyTorch side of {os.path.basename(script)}")
    parser.add_argument("--worker", type=int, metavar="THREADS", help=argparse.SUPPRESS)
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per case and configuration")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="comma-separated, from: " + ",".join(CONFIGS))
    parser.add_argument("--filter", default="", metavar="REGEX", help="only the cases whose name matches")
    parser.add_argument("--json", metavar="FILE", help="write the results as JSON")
    parser.add_argument("--nabla", action="append", default=[], metavar="[LABEL=]FILE",
                        help="Google Benchmark JSON of the nabla twin; may repeat")
    args = parser.parse_args()
    if args.min_time <= 0:
        parser.error(f"--min-time must be positive, got {args.min_time}")

    if args.worker is not None:
        import torch
        torch.set_num_threads(args.worker)
        torch.manual_seed(0)
        out = {}
        pattern = re.compile(args.filter)

        def timer(name, fn):
            if pattern.search(name):
                out[name] = time_call(fn, args.min_time)

        measure(torch, timer)
        print(json.dumps(out))
        return

    configs = [c for c in args.configs.split(",") if c]
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown or not configs:
        parser.error(f"--configs: expected names from {list(CONFIGS)}, got {args.configs!r}")
    try:
        re.compile(args.filter)
    except re.error as e:
        parser.error(f"--filter: not a regular expression ({e}): {args.filter!r}")
    results = {cfg: run_config(script, cfg, args.min_time, args.filter) for cfg in configs}
    names = list(results[configs[0]])
    best = {n: min((results[c][n][0], c) for c in configs) for n in names}

    if args.json:
        write_json_atomic(args.json, {
            n: {"ms": ms, "config": cfg, "shape": shapes.get(n.split("/")[-1], ""),
                "t1_cpu_ms": results["t1"][n][1] if "t1" in results else None,
                "configs": {c: results[c][n] for c in configs}}
            for n, (ms, cfg) in best.items()})

    ours = {}  # name -> (best ms, label)
    for spec in args.nabla:
        label, _, path = spec.rpartition("=")
        for name, t in load_nabla(path).items():
            if name not in ours or t < ours[name][0]:
                ours[name] = (t, label or "-")

    scale = 1e3 if unit == "us" else 1.0
    cols = "".join(f" {c + ' ' + unit:>11s}" for c in configs)
    header = f"{'case':45s}{cols} {'best':>15s}"
    if "t1" in results:
        header += f" {'t1 cpu':>9s}"
    if ours:
        header += f" {'nabla best':>16s} {'ratio':>6s}"
    print(header + ("   ratio = PyTorch / nabla (above 1: nabla faster)" if ours else ""))
    for n in names:
        ms, cfg = best[n]
        line = f"{n:45s}" + "".join(f" {results[c][n][0] * scale:11.3f}" for c in configs)
        line += f" {ms * scale:9.3f} ({cfg})"
        if "t1" in results:
            line += f" {results['t1'][n][1] * scale:9.3f}"
        if n in ours:
            t, label = ours[n]
            line += f" {t * scale:10.3f} ({label}) {ms / t:6.2f}"
        print(line)
