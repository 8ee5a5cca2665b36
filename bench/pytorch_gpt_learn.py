#!/usr/bin/python3
"""Learning side by side, PyTorch half: nanoGPT's model (tools/parity/gpt.py) in the CPU
"baby GPT" configuration (n_layer 4, n_head 4, n_embd 128, block 64, batch 12, dropout 0)
trained on the character-level fortunes corpus; bench/gpt_learn.cpp is the nabla half and
bench/gpt_learn_compare.sh runs both.

The corpus, vocabulary and split reproduce nabla's exactly: data::read_text_corpus(kFortunesDir,
fortune_format = true) (regular files of /usr/share/games/fortunes in sorted name order, *.dat
and *.u8 skipped, "%" lines become empty lines, every line ends in "\n"), data::CharVocab (the
sorted distinct bytes) and data::split_tokens(ids, 0.1) (train = the first ⌊0.9·n⌋ ids).

This script draws everything both sides share and writes it to SETUP (safetensors, written
without the safetensors package): sd.<key> the initial state_dict, train_offsets (steps, 12)
the batch start offsets into the training ids (nanoGPT's get_batch with torch.manual_seed(seed)),
val_offsets the fixed validation blocks (evenly spaced over the validation ids), and checks
(vocab bytes, train/validation sizes and id sums) that the nabla side compares with its own.

Optimizer as nanoGPT's baby config: AdamW lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on the
parameters with ≥ 2 dimensions (0 on biases and LayerNorm), gradient clipping at norm 1.0;
lr warms up linearly over 100 steps ((it + 1)/(warmup + 1)·lr) and decays by a cosine to 1e-4
at the last step. Prints "eval step=… val_loss=… train_loss=…" every --eval-every steps (train_loss:
the mean loss of the steps since the previous eval) and "done steps=… train_wall_s=…
train_cpu_s=… total_wall_s=…" (train_*: the training steps alone, evaluations excluded).
Run with OPENBLAS_NUM_THREADS=1 (Debian's torch otherwise runs two thread pools that fight)."""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools", "parity"))
from gpt import GPT, GPTConfig  # noqa: E402
from safetensors_writer import write_safetensors  # noqa: E402

B, T = 12, 64


def read_fortunes(path):
    """nabla's read_text_corpus(path, fortune_format=True), byte for byte."""
    names = sorted(n for n in os.listdir(path)
                   if not n.endswith((".dat", ".u8")) and os.path.isfile(os.path.join(path, n))
                   and not os.path.islink(os.path.join(path, n)))
    out = bytearray()
    for n in names:
        with open(os.path.join(path, n), "rb") as f:
            lines = f.read().split(b"\n")
        if lines[-1] == b"":  # std::getline yields no empty line after a final "\n"
            lines.pop()
        for line in lines:
            out += (b"" if line == b"%" else line) + b"\n"
    return bytes(out)


def lr_at(it, steps, lr, min_lr, warmup):
    """nanoGPT's get_lr with lr_decay_iters = steps."""
    if it < warmup:
        return lr * (it + 1) / (warmup + 1)
    ratio = (it - warmup) / max(1, steps - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * min(1.0, ratio))) * (lr - min_lr)


def blocks(ids, offsets):
    """Inputs and targets (len(offsets), T) starting at the offsets."""
    x = torch.stack([ids[o:o + T] for o in offsets.tolist()])
    y = torch.stack([ids[o + 1:o + 1 + T] for o in offsets.tolist()])
    return x, y


@torch.no_grad()
def val_loss(model, val, offsets):
    """Mean cross-entropy over the fixed validation blocks, B at a time."""
    model.eval()
    total = 0.0
    for i in range(0, len(offsets), B):
        x, y = blocks(val, offsets[i:i + B])
        logits = model(x)
        total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1)).item() * len(x)
    model.train()
    return total / len(offsets)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--setup", required=True, help="safetensors file to write (shared with gpt_learn)")
    p.add_argument("--corpus", default="/usr/share/games/fortunes")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--val-blocks", type=int, default=240)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=100)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    t_start = time.perf_counter()

    text = read_fortunes(a.corpus)
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    n_train = int(len(ids) * (1.0 - 0.1))
    train, val = ids[:n_train], ids[n_train:]

    torch.manual_seed(a.seed)
    model = GPT(GPTConfig(vocab_size=len(chars), block_size=T, n_layer=4, n_head=4, n_embd=128,
                          dropout=0.0, bias=True))
    train_offsets = torch.randint(len(train) - T, (a.steps, B))
    val_offsets = torch.tensor([i * (len(val) - T - 1) // (a.val_blocks - 1) for i in range(a.val_blocks)])
    setup = {"sd." + k: v for k, v in model.state_dict().items()}
    setup.update({"train_offsets": train_offsets, "val_offsets": val_offsets,
                  "check.vocab": torch.tensor(chars, dtype=torch.int64),
                  "check.sizes": torch.tensor([len(train), len(val)]),
                  "check.sums": torch.tensor([int(train.sum()), int(val.sum())])})
    write_safetensors(a.setup, setup)
    print(f"corpus bytes={len(text)} vocab={len(chars)} train={len(train)} val={len(val)} "
          f"params={sum(p.numel() for p in model.parameters())}", flush=True)

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.99))
    train_wall = train_cpu = 0.0
    losses = []
    for it in range(a.steps + 1):
        if it % a.eval_every == 0 or it == a.steps:
            mean = sum(losses) / len(losses) if losses else float("nan")
            print(f"eval step={it} val_loss={val_loss(model, val, val_offsets):.4f} train_loss={mean:.4f} "
                  f"train_wall_s={train_wall:.1f}", flush=True)
            losses = []
        if it == a.steps:
            break
        t0, c0 = time.perf_counter(), time.process_time()
        for g in opt.param_groups:
            g["lr"] = lr_at(it, a.steps, a.lr, a.min_lr, a.warmup)
        x, y = blocks(train, train_offsets[it])
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
        train_wall += time.perf_counter() - t0
        train_cpu += time.process_time() - c0
    print(f"done steps={a.steps} train_wall_s={train_wall:.1f} train_cpu_s={train_cpu:.1f} "
          f"total_wall_s={time.perf_counter() - t_start:.1f}")


if __name__ == "__main__":
    main()
