#!/usr/bin/python3
"""PyTorch parity fixture for nabla's GPT (models::GPT), from a tiny nanoGPT model.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/gpt.py
Writes tests/fixtures/parity/gpt.safetensors. For every case NAME it stores
  NAME.sd.<key>    the model's state_dict as nanoGPT saves it (lm_head.weight tied to wte)
  NAME.idx, NAME.targets   (B, T) int64 inputs and next-token targets
  NAME.logits      (B, T, V) logits
  NAME.loss        the mean cross-entropy of logits against targets
  NAME.grad.<key>  the gradient of loss for every parameter (the tied weight under wte)
The model below is nanoGPT's model.py (GPTConfig, LayerNorm with optional bias,
CausalSelfAttention, MLP, Block, GPT) cut to what the fixture needs. PyTorch 1.13 has no
F.scaled_dot_product_attention, so attention is nanoGPT's explicit path with the causal mask made
on the fly (no `attn.bias` buffer: the state_dict keys are those of nanoGPT on PyTorch 2).
tests/models/gpt_test.cpp reads it (keep the configurations in sync).
"""
import math
import os
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_writer import write_safetensors


@dataclass
class GPTConfig:
    block_size: int = 1024
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True


class LayerNorm(nn.Module):
    def __init__(self, ndim, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(ndim))
        self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
        att = att.masked_fill(~causal, float("-inf"))
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight
        self.apply(self._init_weights)
        for pn, p in self.named_parameters():
            if pn.endswith("c_proj.weight"):
                torch.nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    def _init_weights(self, module):
        if isinstance(module, nn.Linear):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                torch.nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            torch.nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def forward(self, idx):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))


CASES = {
    # name: config (tests/models/gpt_test.cpp builds the same)
    "gpt_bias": GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8, bias=True),
    "gpt_nobias": GPTConfig(vocab_size=13, block_size=6, n_layer=1, n_head=4, n_embd=8, bias=False),
}


def main():
    torch.manual_seed(0)
    out = {}
    for name, config in CASES.items():
        model = GPT(config)
        with torch.no_grad():  # LayerNorm affine terms away from 1 and 0, so that they are tested
            for pn, p in model.named_parameters():
                if "ln_" in pn:
                    p.add_(0.1 * torch.randn_like(p))
        B, T = 2, config.block_size - 1
        idx = torch.randint(0, config.vocab_size, (B, T))
        targets = torch.randint(0, config.vocab_size, (B, T))
        logits = model(idx)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        loss.backward()
        for key, t in model.state_dict().items():
            out[f"{name}.sd.{key}"] = t
        for pn, p in model.named_parameters():
            out[f"{name}.grad.{pn}"] = p.grad
        out[f"{name}.idx"], out[f"{name}.targets"] = idx, targets
        out[f"{name}.logits"], out[f"{name}.loss"] = logits, loss
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "parity", "gpt.safetensors")
    write_safetensors(os.path.normpath(path), out)
    print("wrote", os.path.normpath(path), len(out), "tensors")


if __name__ == "__main__":
    main()
