#!/usr/bin/python3
"""Learning side by side, PyTorch half: the character LSTM of configs/char_lstm_fortunes.toml
(Embedding 64 -> 2-layer LSTM 256 -> Linear to the vocabulary) with dropout 0, trained by truncated
BPTT on the fortunes; bench/char_lstm_learn.cpp is the nabla half and
bench/char_lstm_learn_compare.sh runs both.

The corpus, vocabulary, split and batches are the config's and reproduce nabla's exactly
(bench/pytorch_char_lstm.py: read_text_corpus with fortune format, the sorted byte vocabulary,
the last 5 % of the ids for validation, data::BpttStream's 64 contiguous rows read 128 characters
at a time). Step `it` trains on chunk it mod (number of chunks); the (h, c) state is carried from
chunk to chunk, detached, and dropped when the rows start again (a new epoch), as `nabla train`
does. Adam lr 2e-3, global-norm clipping at 5, no schedule.

With --write-setup the script draws the initial weights (torch.manual_seed(seed), PyTorch's
default initialisation) and writes them to SETUP (safetensors: sd.<key> the state_dict, and
checks: vocab bytes, train/validation sizes and id sums, the number of steps) for the nabla half,
then exits; without it, it trains from the same seed's weights. Prints "eval step=… val_loss=…
train_loss=… train_wall_s=…" every --eval-every steps (val_loss: the whole validation tail in
contiguous rows with the state carried; train_loss: the mean loss of the steps since the previous
eval) and "done steps=… train_wall_s=… train_cpu_s=… total_wall_s=…" (training steps alone,
evaluations excluded). Run with OPENBLAS_NUM_THREADS=1."""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools", "parity"))
from pytorch_char_lstm import CharLSTM, evaluate, read_text_corpus, rows_of  # noqa: E402
from safetensors_writer import write_safetensors  # noqa: E402

BATCH, SEQ, EMB, HIDDEN, LAYERS, LR, CLIP, VAL_FRACTION = 64, 128, 64, 256, 2, 2e-3, 5.0, 0.05


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--setup", required=True, help="safetensors file shared with char_lstm_learn")
    p.add_argument("--write-setup", action="store_true", help="write SETUP and exit")
    p.add_argument("--corpus", default="/usr/share/games/fortunes")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    t_start = time.perf_counter()

    text = read_text_corpus(a.corpus, True)
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    n_train = int(len(ids) * (1.0 - VAL_FRACTION))
    train, val = ids[:n_train], ids[n_train:]

    torch.manual_seed(a.seed)
    model = CharLSTM(len(chars), EMB, HIDDEN, LAYERS, 0.0)
    if a.write_setup:
        setup = {"sd." + k: v for k, v in model.state_dict().items()}
        setup.update({"check.vocab": torch.tensor(chars, dtype=torch.int64),
                      "check.sizes": torch.tensor([len(train), len(val)]),
                      "check.sums": torch.tensor([int(train.sum()), int(val.sum())]),
                      "steps": torch.tensor([a.steps])})
        write_safetensors(a.setup, setup)
        return
    rows = rows_of(train, BATCH)
    starts = list(range(0, rows.size(1) - 1, SEQ))
    print(f"corpus bytes={len(text)} vocab={len(chars)} train={len(train)} val={len(val)} "
          f"params={sum(p.numel() for p in model.parameters())} chunks={len(starts)}", flush=True)

    opt = torch.optim.Adam(model.parameters(), lr=LR)
    train_wall = train_cpu = 0.0
    losses, state = [], None
    for it in range(a.steps + 1):
        if it % a.eval_every == 0 or it == a.steps:
            mean = sum(losses) / len(losses) if losses else float("nan")
            print(f"eval step={it} val_loss={evaluate(model, val, BATCH, SEQ):.4f} train_loss={mean:.4f} "
                  f"train_wall_s={train_wall:.1f}", flush=True)
            losses = []
        if it == a.steps:
            break
        t0, c0 = time.perf_counter(), time.process_time()
        chunk = it % len(starts)
        if chunk == 0:
            state = None  # a new pass over the rows starts from a zero state
        start = starts[chunk]
        t = min(SEQ, rows.size(1) - 1 - start)
        logits, state = model(rows[:, start:start + t], state)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), rows[:, start + 1:start + t + 1].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        state = tuple(s.detach() for s in state)
        losses.append(loss.item())
        train_wall += time.perf_counter() - t0
        train_cpu += time.process_time() - c0
    print(f"done steps={a.steps} train_wall_s={train_wall:.1f} train_cpu_s={train_cpu:.1f} "
          f"total_wall_s={time.perf_counter() - t_start:.1f}")


if __name__ == "__main__":
    main()
