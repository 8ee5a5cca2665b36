#!/usr/bin/python3
"""PyTorch twin of bench/gpt_bench.cpp: nanoGPT's model (tools/parity/gpt.py) in the CPU
"baby GPT" configuration; a training step (forward, cross-entropy, backward, AdamW) on batch 12
as tokens/s, and greedy generation of 63 tokens after a 1-token prompt, without a cache (nanoGPT's
generate: the whole window each step, lm_head on the last position only) and with a KV cache
(written here: nanoGPT has none), as generated tokens/s.
Prints "train threads=<n> tokens_per_s=<rate> cpu_tokens_per_s=<rate>", "generate_cache …",
"generate_nocache …" (cpu_tokens_per_s: per second of process CPU time).
Run with OPENBLAS_NUM_THREADS=1 (Debian's torch otherwise runs two thread pools that fight)."""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools", "parity"))
from gpt import GPT, GPTConfig  # noqa: E402

BABY = GPTConfig(vocab_size=65, block_size=64, n_layer=4, n_head=4, n_embd=128, dropout=0.0, bias=True)


def last_logits(model, idx):
    """nanoGPT's inference forward: the logits of the last position only."""
    t = idx.size(1)
    tr = model.transformer
    x = tr.drop(tr.wte(idx) + tr.wpe(torch.arange(0, t, dtype=torch.long)))
    for block in tr.h:
        x = block(x)
    return model.lm_head(tr.ln_f(x[:, [-1], :]))[:, -1, :]


def cached_attention(attn, x, cache):
    """CausalSelfAttention with keys and values appended to cache = [k, v] (B, H, T, D)."""
    B, T, C = x.size()
    q, k, v = attn.c_attn(x).split(attn.n_embd, dim=2)
    q, k, v = (t.view(B, T, attn.n_head, C // attn.n_head).transpose(1, 2) for t in (q, k, v))
    if cache:
        k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
    cache[:] = [k, v]
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
    if T > 1:  # a prompt (the cache was empty): causal
        att = att.masked_fill(~torch.tril(torch.ones(T, T, dtype=torch.bool)), float("-inf"))
    y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).contiguous().view(B, T, C)
    return attn.c_proj(y)


def cached_last_logits(model, idx, caches, start):
    tr = model.transformer
    x = tr.wte(idx) + tr.wpe(torch.arange(start, start + idx.size(1), dtype=torch.long))
    for block, cache in zip(tr.h, caches):
        x = x + cached_attention(block.attn, block.ln_1(x), cache)
        x = x + block.mlp(block.ln_2(x))
    return model.lm_head(tr.ln_f(x[:, [-1], :]))[:, -1, :]


@torch.no_grad()
def generate(model, new_tokens, use_cache):
    idx = torch.zeros(1, 1, dtype=torch.long)
    caches = [[] for _ in model.transformer.h]
    fresh, start = idx, 0
    for _ in range(new_tokens):
        if use_cache:
            logits = cached_last_logits(model, fresh, caches, start)
            start += fresh.size(1)
        else:
            logits = last_logits(model, idx[:, -BABY.block_size:])
        fresh = logits.argmax(-1, keepdim=True)
        idx = torch.cat([idx, fresh], 1)
    return idx


def report(name, threads, tokens, t0, c0):
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{name} threads={threads} tokens_per_s={tokens / wall:.0f} cpu_tokens_per_s={tokens / cpu:.0f}")


def train(threads, steps):
    torch.manual_seed(0)
    model = GPT(BABY)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99), weight_decay=0.1)
    B, T = 12, 64
    data = torch.randint(0, 65, (64, T + 1))

    def step(i):
        start = (i * B) % (64 - B + 1)
        seq = data[start:start + B]
        logits = model(seq[:, :T])
        loss = F.cross_entropy(logits.reshape(B * T, 65), seq[:, 1:].reshape(B * T))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(5):
        step(i)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(steps):
        step(i)
    report("train", threads, steps * B * T, t0, c0)


def generation(threads, rounds, use_cache):
    torch.manual_seed(0)
    model = GPT(BABY).eval()
    generate(model, 63, use_cache)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        generate(model, 63, use_cache)
    report("generate_cache" if use_cache else "generate_nocache", threads, rounds * 63, t0, c0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--rounds", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    train(a.threads, a.steps)
    generation(a.threads, a.rounds, True)
    generation(a.threads, a.rounds, False)


if __name__ == "__main__":
    main()
