#!/usr/bin/env python3
"""The PyTorch side of nabla's benchmarks: the same tiny-op loops as bench/overhead_bench.cpp,
the same matmul sizes as bench/matmul_bench.cpp and the same large elementwise ops and sums as
bench/elementwise_bench.cpp.

Each case is timed with time.perf_counter over a loop of `number` calls (compiled by timeit,
so the loop itself adds only the interpreter's per-statement cost, which a PyTorch user pays
too), after a warm-up; the best of several repeats is kept.

Debian's PyTorch starts with one thread and oversubscribes the 2 cores when both its OpenMP
pool and OpenBLAS's threads run. So every case is measured in two configurations, each in a
fresh process (thread settings must be fixed before the first op):
  * t2: OPENBLAS_NUM_THREADS=1 and torch.set_num_threads(2)
  * t1: torch.set_num_threads(1)
and the best result per row is reported, with the configuration that gave it.

Output: JSON (--json FILE) with one record per row:
  {"name": "overhead/add/1", "value": 512.3, "unit": "ns", "config": "t1"}
units: "ns" (per op, lower is better), "GFLOPS" and "GBps" (higher is better).
Without --json a plain table is printed.
"""
import argparse
import json
import os
import subprocess
import sys
import time
import timeit

CONFIGS = {
    "t2": ({"OPENBLAS_NUM_THREADS": "1"}, 2),
    "t1": ({}, 1),
}

MATMUL_SIZES = [64, 128, 256, 512, 1024, 2048]
LARGE_SIZES = [1 << 20, 1 << 24]


def time_stmt(stmt, env, min_time, repeats=5):
    """Best seconds per execution of `stmt` over `repeats` loops of at least min_time/repeats s."""
    timer = timeit.Timer(stmt, timer=time.perf_counter, globals=env)
    timer.timeit(number=3)  # warm-up: first calls allocate, JIT-load kernels, spin up threads
    number = 1
    while True:  # grow the loop until one repeat takes long enough to time reliably
        t = timer.timeit(number=number)
        if t >= min_time / repeats or number >= 1 << 24:
            break
        number *= 2 if t <= 0 else max(2, min(10, int(min_time / repeats / t) + 1))
    return min(timer.timeit(number=number) for _ in range(repeats)) / number


def overhead_cases(torch):
    """(name, stmt, globals): tiny ops as in overhead_bench.cpp."""
    cases = []
    for n in (1, 16):
        g = {"torch": torch, "a": torch.full((n,), 1.5), "b": torch.full((n,), 2.5)}
        cases += [
            (f"overhead/add/{n}", "torch.add(a, b)", g),
            (f"overhead/mul/{n}", "torch.mul(a, b)", g),
            (f"overhead/mul_scalar/{n}", "torch.mul(a, 2.0)", g),
            (f"overhead/sum/{n}", "torch.sum(a)", g),
        ]
    cases.append(("overhead/reshape", "a.reshape(4, 4)", {"a": torch.full((16,), 1.5)}))
    cases.append(("overhead/transpose", "a.transpose(0, 1)", {"a": torch.full((4, 4), 1.5)}))
    cases.append(("overhead/matmul_2x2", "torch.matmul(a, b)",
                  {"torch": torch, "a": torch.full((2, 2), 1.5), "b": torch.full((2, 2), 2.5)}))
    w = torch.full((16,), 1.5, requires_grad=True)
    b = torch.full((16,), 0.25, requires_grad=True)
    cases.append(("overhead/fwd_bwd", "loss = (x * w + b).sum(); loss.backward(); w.grad = None; b.grad = None",
                  {"x": torch.full((16,), 0.5), "w": w, "b": b}))
    return cases


def run_worker(min_time, groups):
    """Measures every case in this process (thread settings already applied)."""
    import torch
    torch.manual_seed(0)
    rows = []
    if "overhead" in groups:
        for name, stmt, g in overhead_cases(torch):
            rows.append({"name": name, "value": time_stmt(stmt, g, min_time) * 1e9, "unit": "ns"})
    if "matmul" in groups:
        for n in MATMUL_SIZES:
            g = {"torch": torch, "a": torch.randn(n, n), "b": torch.randn(n, n)}
            t = time_stmt("torch.matmul(a, b)", g, max(min_time, 0.5))
            rows.append({"name": f"matmul/{n}", "value": 2.0 * n ** 3 / t * 1e-9, "unit": "GFLOPS"})
    if "elementwise" in groups:
        for n in LARGE_SIZES:
            side = int(round(n ** 0.5))
            g = {"torch": torch, "a": torch.rand(n), "b": torch.rand(n), "x": torch.rand(side, side)}
            for name, stmt, moved in [
                ("add", "torch.add(a, b)", 12 * n),
                ("mul", "torch.mul(a, b)", 12 * n),
                ("mul_scalar", "torch.mul(a, 2.5)", 8 * n),
                ("exp", "torch.exp(a)", 8 * n),
                ("relu", "torch.relu(a)", 8 * n),
                ("sum_all", "torch.sum(a)", 4 * n),
                ("sum_lastdim", "torch.sum(x, 1)", 4 * n),
                ("sum_dim0", "torch.sum(x, 0)", 4 * n),
            ]:
                t = time_stmt(stmt, g, min_time)
                rows.append({"name": f"elementwise/{name}/{n}", "value": moved / t * 1e-9, "unit": "GBps"})
    return rows


def better(a, b):
    """True when record a beats record b (lower ns, higher rates)."""
    return a["value"] < b["value"] if a["unit"] == "ns" else a["value"] > b["value"]


def run_all(min_time, groups):
    best = {}
    order = []
    for config, (env_extra, threads) in CONFIGS.items():
        env = dict(os.environ, **env_extra)
        cmd = [sys.executable, __file__, "--worker", str(threads), "--min-time", str(min_time),
               "--groups", ",".join(groups)]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        for rec in json.loads(out):
            rec["config"] = config
            if rec["name"] not in best:
                order.append(rec["name"])
                best[rec["name"]] = rec
            elif better(rec, best[rec["name"]]):
                best[rec["name"]] = rec
    return [best[n] for n in order]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", help="write the results as JSON to this file")
    p.add_argument("--min-time", type=float, default=0.2, help="seconds of timing per case (default 0.2)")
    p.add_argument("--groups", default="overhead,matmul,elementwise",
                   help="comma-separated subset of overhead,matmul,elementwise")
    p.add_argument("--worker", type=int, help=argparse.SUPPRESS)  # internal: thread count of a worker
    args = p.parse_args()
    groups = args.groups.split(",")
    if args.worker:
        import torch
        torch.set_num_threads(args.worker)
        json.dump(run_worker(args.min_time, groups), sys.stdout)
        return
    rows = run_all(args.min_time, groups)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    else:
        for r in rows:
            print(f"{r['name']:32s} {r['value']:12.2f} {r['unit']:7s} ({r['config']})")


if __name__ == "__main__":
    main()
