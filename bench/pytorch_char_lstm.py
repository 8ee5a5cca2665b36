"""The char-LSTM run of `nabla train configs/char_lstm_fortunes.toml` in PyTorch, for the side-by-side
measurement in docs/benchmarks.md: the same corpus reading (nabla's read_text_corpus with fortune
format), the same byte vocabulary and contiguous validation tail (split_tokens), the same
contiguous rows and chunks (data::BpttStream), the same model (Embedding, LSTM, Dropout, Linear),
Adam, clipping and per-epoch validation with the carried state. Only the random draws differ.

/usr/bin/python3 bench/pytorch_char_lstm.py [--hidden-size 128 --num-layers 1 --epochs 2 ...]
"""
import argparse
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_text_corpus(path, fortune_format):
    """nabla::data::read_text_corpus: sorted regular files (not links, not *.dat / *.u8)."""
    if os.path.isdir(path):
        files = sorted(os.path.join(path, f) for f in os.listdir(path)
                       if os.path.isfile(os.path.join(path, f)) and not os.path.islink(os.path.join(path, f))
                       and os.path.splitext(f)[1] not in ('.dat', '.u8'))
    else:
        files = [path]
    out = bytearray()
    for name in files:
        data = open(name, 'rb').read()
        if not fortune_format:
            out += data
            continue
        lines = data.split(b'\n')
        if data.endswith(b'\n'):
            lines.pop()
        for line in lines:
            out += (b'' if line == b'%' else line) + b'\n'
    return bytes(out)


def rows_of(ids, batch_size):
    """data::BpttStream: B rows of L = n // B consecutive tokens."""
    length = len(ids) // batch_size
    return ids[:batch_size * length].view(batch_size, length)


class CharLSTM(nn.Module):
    def __init__(self, vocab, emb, hidden, layers, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, layers, dropout=dropout if layers > 1 else 0.0, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.decoder = nn.Linear(hidden, vocab)

    def forward(self, x, state=None):
        y, state = self.lstm(self.embedding(x), state)
        return self.decoder(self.dropout(y)), state


def evaluate(model, ids, batch_size, seq_len):
    model.eval()
    rows = rows_of(ids, max(1, min(batch_size, len(ids) // (seq_len + 1))))
    total, count, state = 0.0, 0, None
    with torch.no_grad():
        for start in range(0, rows.size(1) - 1, seq_len):
            t = min(seq_len, rows.size(1) - 1 - start)
            logits, state = model(rows[:, start:start + t], state)
            total += F.cross_entropy(logits.reshape(-1, logits.size(-1)), rows[:, start + 1:start + t + 1].reshape(-1),
                                     reduction='sum').item()
            count += rows.size(0) * t
    model.train()
    return total / count


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='/usr/share/games/fortunes')
    p.add_argument('--val-fraction', type=float, default=0.05)
    p.add_argument('--embedding-dim', type=int, default=64)
    p.add_argument('--hidden-size', type=int, default=256)
    p.add_argument('--num-layers', type=int, default=2)
    p.add_argument('--dropout', type=float, default=0.1)
    p.add_argument('--lr', type=float, default=0.002)
    p.add_argument('--epochs', type=int, default=10)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--seq-len', type=int, default=128)
    p.add_argument('--clip-grad-norm', type=float, default=5.0)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    text = read_text_corpus(a.data, os.path.isdir(a.data))
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.int64)
    n_train = int(len(ids) * (1.0 - a.val_fraction))
    train_ids, val_ids = ids[:n_train], ids[n_train:]
    print(f'data: {a.data}, {len(text)} characters, vocabulary {len(chars)}; {len(train_ids)} train, '
          f'{len(val_ids)} validation tokens', flush=True)

    model = CharLSTM(len(chars), a.embedding_dim, a.hidden_size, a.num_layers, a.dropout)
    print(f'model: {sum(p.numel() for p in model.parameters())} parameters', flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    rows = rows_of(train_ids, a.batch_size)
    start_time = time.time()
    best = math.inf
    for epoch in range(1, a.epochs + 1):
        state, total, count, t0 = None, 0.0, 0, time.time()
        for start in range(0, rows.size(1) - 1, a.seq_len):
            t = min(a.seq_len, rows.size(1) - 1 - start)
            logits, state = model(rows[:, start:start + t], state)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), rows[:, start + 1:start + t + 1].reshape(-1))
            opt.zero_grad()
            loss.backward()
            if a.clip_grad_norm > 0:
                nn.utils.clip_grad_norm_(model.parameters(), a.clip_grad_norm)
            opt.step()
            state = tuple(s.detach() for s in state)
            total += loss.item() * rows.size(0) * t
            count += rows.size(0) * t
        val = evaluate(model, val_ids, a.batch_size, a.seq_len)
        best = min(best, val)
        print(f'epoch {epoch}/{a.epochs}  train loss {total / count:.4f} ({total / count / math.log(2):.3f} bpc)  '
              f'val loss {val:.4f} ({val / math.log(2):.3f} bpc)  {count / (time.time() - t0):.0f} tokens/s', flush=True)
    print(f'best validation loss {best:.4f} ({best / math.log(2):.3f} bits per character)  '
          f'total {time.time() - start_time:.1f} s', flush=True)


if __name__ == '__main__':
    main()
