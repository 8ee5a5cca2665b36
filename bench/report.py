#!/usr/bin/env python3
"""Merges the JSON outputs of nabla's benchmarks and of pytorch_compare.py into one markdown table.

Usage: report.py --matmul M.json --elementwise E.json --overhead O.json [--torch T.json]

Rows pair a nabla benchmark with its peer from the same run:
  matmul       BM_matmul_nabla/n   vs BM_matmul_openblas/n   (GFLOP/s)
  elementwise  BM_<op>/n           vs BM_memcpy/<bytes_moved> (GB/s, same bytes read + written)
  PyTorch      every nabla row that pytorch_compare.py also measured (ns/op, GFLOP/s or GB/s)
When a benchmark ran several repetitions, the best repetition is used (on both sides; the
PyTorch script also keeps its best repeat).
ratio = nabla's performance / the peer's: for rates nabla/peer, for ns/op peer/nabla.
Above 1 (or 100 %) nabla is faster.
"""
import argparse
import json
import sys


def load_gbench(path):
    """run_name → best repetition (a dict with real_time in ns and the counters)."""
    with open(path) as f:
        data = json.load(f)
    best = {}
    scale = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
    for b in data["benchmarks"]:
        if b.get("run_type", "iteration") != "iteration" or b.get("error_occurred"):
            continue
        rec = dict(b)
        rec["ns"] = b["real_time"] * scale[b["time_unit"]]
        name = b.get("run_name", b["name"]).replace("/real_time", "")
        if name not in best or rec["ns"] < best[name]["ns"]:
            best[name] = rec
    return best, data.get("context", {})


def load_torch(path):
    if not path:
        return {}
    with open(path) as f:
        return {r["name"]: r for r in json.load(f)}


def pretty_size(n):
    n = int(n)
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20}M"
    return str(n)


def fmt(value, unit):
    if unit == "ns":
        return f"{value:,.0f} ns"
    if unit == "GFLOPS":
        return f"{value:.1f} GFLOP/s"
    return f"{value:.1f} GB/s"


def ratio(nabla, peer, unit):
    r = peer / nabla if unit == "ns" else nabla / peer
    return f"{r * 100:.0f} %" if unit != "ns" else f"{r:.2f}×"


def split(name):
    """'BM_add/16777216' → ('add', '16777216'); 'BM_reshape' → ('reshape', None)."""
    parts = name[3:].split("/")
    return parts[0], (parts[1] if len(parts) > 1 else None)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--matmul", required=True)
    p.add_argument("--elementwise", required=True)
    p.add_argument("--overhead", required=True)
    p.add_argument("--torch", help="JSON written by pytorch_compare.py --json")
    args = p.parse_args()

    mm, ctx = load_gbench(args.matmul)
    ew, _ = load_gbench(args.elementwise)
    oh, _ = load_gbench(args.overhead)
    torch = load_torch(args.torch)

    rows = []  # (op/size, nabla text, peer text, ratio text)
    for name, rec in mm.items():
        op, n = split(name)
        if op != "matmul_nabla":
            continue
        peer = mm.get(f"BM_matmul_openblas/{n}")
        if peer:
            rows.append((f"matmul {n}×{n}", fmt(rec["GFLOPS"], "GFLOPS"), "OpenBLAS " + fmt(peer["GFLOPS"], "GFLOPS"),
                         ratio(rec["GFLOPS"], peer["GFLOPS"], "GFLOPS")))
    for name, rec in ew.items():
        op, n = split(name)
        if op == "memcpy":
            continue
        peer = ew.get(f"BM_memcpy/{int(rec['bytes_moved'])}")
        if peer:
            rows.append((f"{op} {pretty_size(n)} f32", fmt(rec["GBps"], "GBps"), "memcpy " + fmt(peer["GBps"], "GBps"),
                         ratio(rec["GBps"], peer["GBps"], "GBps")))

    if torch:
        for name, rec in mm.items():
            op, n = split(name)
            t = torch.get(f"matmul/{n}")
            if op == "matmul_nabla" and t:
                rows.append((f"matmul {n}×{n}", fmt(rec["GFLOPS"], "GFLOPS"),
                             f"PyTorch {fmt(t['value'], 'GFLOPS')} ({t['config']})",
                             ratio(rec["GFLOPS"], t["value"], "GFLOPS")))
        for name, rec in ew.items():
            op, n = split(name)
            t = torch.get(f"elementwise/{op}/{n}")
            if op != "memcpy" and t:
                rows.append((f"{op} {pretty_size(n)} f32", fmt(rec["GBps"], "GBps"),
                             f"PyTorch {fmt(t['value'], 'GBps')} ({t['config']})", ratio(rec["GBps"], t["value"], "GBps")))
        for name, rec in oh.items():
            op, n = split(name)
            key = f"overhead/{op}" + (f"/{n}" if n else "")
            t = torch.get(key)
            label = f"{op} ({n} elem)" if n else op
            if t:
                rows.append((f"tiny {label}", fmt(rec["ns"], "ns"), f"PyTorch {fmt(t['value'], 'ns')} ({t['config']})",
                             ratio(rec["ns"], t["value"], "ns")))
            else:
                rows.append((f"tiny {label}", fmt(rec["ns"], "ns"), "—", "—"))
    else:
        for name, rec in oh.items():
            op, n = split(name)
            rows.append((f"tiny {op}" + (f" ({n} elem)" if n else ""), fmt(rec["ns"], "ns"), "—", "—"))

    out = sys.stdout
    load = ctx.get("load_avg")
    out.write(f"nabla benchmarks — {ctx.get('num_cpus', '?')} CPUs, {ctx.get('date', '')}"
              + (f", load average {', '.join(f'{x:.1f}' for x in load)}" if load else "") + "\n\n")
    out.write("| op / size | nabla | peer | ratio |\n|---|---:|---:|---:|\n")
    for r in rows:
        out.write("| " + " | ".join(r) + " |\n")
    out.write("\nratio = nabla / peer for rates (GFLOP/s, GB/s); peer time / nabla time for ns/op "
              "(above 100 % or 1× nabla is faster). PyTorch config: t2 = 2 intra-op threads with "
              "OPENBLAS_NUM_THREADS=1, t1 = 1 thread (best of both kept).\n")


if __name__ == "__main__":
    main()
