#!/usr/bin/python3
"""PyTorch parity fixtures for nabla's attention and Transformer layers.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/attention.py
Writes tests/fixtures/parity/attention.safetensors. For every case NAME it stores
  NAME.in<i>     the tensor inputs (query, key, value / src, tgt, memory …)
  NAME.<mask>    the masks it passes (bool or floating)
  NAME.<param>   the module's parameters (randomised)
  NAME.y, NAME.w the outputs (attention weights where there are some)
  NAME.gy, NAME.gw the upstream gradients; NAME.gin<i> and NAME.g<param> the gradients of
                 sum(y * gy) + sum(w * gw).
tests/nn/parity_attention_test.cpp rebuilds each module with the same arguments (keep both in sync).
PyTorch 1.13 has no public scaled_dot_product_attention; its private _scaled_dot_product_attention
(same arguments, bool masks with True = attend) is the reference for SDPA. Modules run in training
mode with dropout 0 (the path PyTorch takes when gradients are needed).
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from safetensors_writer import write_safetensors

F32, F64 = torch.float32, torch.float64


def rand(*shape, dtype=F32):
    return torch.randn(*shape, dtype=dtype)


def kpm(n, s, padded):
    """(n, s) bool key padding mask: the last padded[i] keys of row i are padding."""
    m = torch.zeros(n, s, dtype=torch.bool)
    for i, p in enumerate(padded):
        if p:
            m[i, s - p:] = True
    return m


def sdpa_cases():
    g = torch.Generator().manual_seed(1)
    bool_mask = torch.rand(4, 6, generator=g) > 0.3
    bool_mask[:, 0] = True  # every query keeps a key
    return {
        "sdpa_plain": ((rand(2, 3, 4, 5), rand(2, 3, 6, 5), rand(2, 3, 6, 7)), {}),
        "sdpa_causal": ((rand(2, 4, 5), rand(2, 4, 5), rand(2, 4, 3)), {"is_causal": True}),
        "sdpa_bool_mask": ((rand(2, 3, 4, 5), rand(2, 3, 6, 5), rand(2, 3, 6, 7)), {"attn_mask": bool_mask}),
        "sdpa_f64": ((rand(3, 4, 5, dtype=F64), rand(3, 2, 5, dtype=F64), rand(3, 2, 4, dtype=F64)), {}),
    }


def mha_cases():
    L, S, N = 4, 5, 3
    causal = torch.triu(torch.ones(L, L, dtype=torch.bool), 1)
    return {
        # name: (constructor kwargs, inputs, forward kwargs)
        "mha_self": (dict(embed_dim=8, num_heads=2), "self", (L, N, 8), {}),
        "mha_cross_masks": (dict(embed_dim=8, num_heads=4, batch_first=True), "cross", ((N, L, 8), (N, S, 8)),
                            {"key_padding_mask": kpm(N, S, [0, 2, 1]),
                             "attn_mask": torch.arange(S)[None, :] > torch.arange(L)[:, None] + 1}),
        "mha_kdim_vdim": (dict(embed_dim=6, num_heads=3, kdim=5, vdim=7), "kv", ((L, N, 6), (S, N, 5), (S, N, 7)),
                          {"attn_mask": rand(N * 3, L, S) * 0.5, "average_attn_weights": False}),
        "mha_bias_kv_zero": (dict(embed_dim=8, num_heads=2, add_bias_kv=True, add_zero_attn=True), "cross",
                             ((L, N, 8), (S, N, 8)), {"key_padding_mask": kpm(N, S, [1, 0, 2])}),
        "mha_unbatched_f64": (dict(embed_dim=4, num_heads=2, dtype=F64), "self", (L, 4), {"attn_mask": causal}),
        "mha_nobias_noweights": (dict(embed_dim=8, num_heads=2, bias=False), "self", (L, N, 8), {"need_weights": False}),
    }


def transformer_cases():
    T, S, N, E = 4, 5, 2, 8
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(T)
    small = dict(d_model=E, nhead=2, dim_feedforward=12, dropout=0.0)
    return {
        # name: (class, constructor kwargs, input shapes, masks)
        "enc_post": (nn.TransformerEncoderLayer, small, [(S, N, E)], {"src_key_padding_mask": kpm(N, S, [0, 2])}),
        "enc_pre_gelu_bf": (nn.TransformerEncoderLayer, dict(small, norm_first=True, activation="gelu", batch_first=True),
                            [(N, S, E)], {"src_mask": nn.Transformer.generate_square_subsequent_mask(S)}),
        "dec_post": (nn.TransformerDecoderLayer, small, [(T, N, E), (S, N, E)],
                     {"tgt_mask": tgt_mask, "memory_key_padding_mask": kpm(N, S, [1, 0])}),
        "dec_pre_bf": (nn.TransformerDecoderLayer, dict(small, norm_first=True, batch_first=True),
                       [(N, T, E), (N, S, E)], {"tgt_mask": tgt_mask, "tgt_key_padding_mask": kpm(N, T, [0, 1])}),
        "encoder_stack": ("encoder", dict(small, norm_first=True), [(S, N, E)], {"src_key_padding_mask": kpm(N, S, [2, 0])}),
        "transformer": ("transformer", dict(d_model=E, nhead=2, num_encoder_layers=2, num_decoder_layers=1,
                                            dim_feedforward=12, dropout=0.0),
                        [(S, N, E), (T, N, E)], {"tgt_mask": tgt_mask, "src_key_padding_mask": kpm(N, S, [0, 1])}),
    }


def store_module(out, name, module):
    with torch.no_grad():
        for pname, p in module.named_parameters():
            is_norm_scale = "norm" in pname and pname.endswith("weight")
            p.copy_(torch.randn_like(p) * 0.4 + (1.0 if is_norm_scale else 0.0))
    for pname, p in module.named_parameters():
        out[f"{name}.{pname}"] = p.detach().clone()


def store_grads(out, name, module, inputs, y, w):
    gy = torch.randn(y.shape, dtype=y.dtype)
    loss = (y * gy).sum()
    out[f"{name}.y"], out[f"{name}.gy"] = y.detach(), gy
    if w is not None:
        gw = torch.randn(w.shape, dtype=w.dtype)
        loss = loss + (w * gw).sum()
        out[f"{name}.w"], out[f"{name}.gw"] = w.detach(), gw
    loss.backward()
    for i, x in enumerate(inputs):
        out[f"{name}.in{i}"] = x.detach()
        out[f"{name}.gin{i}"] = x.grad
    if module is not None:
        for pname, p in module.named_parameters():
            out[f"{name}.g{pname}"] = p.grad


def main():
    torch.manual_seed(0)
    out = {}
    for name, (inputs, kw) in sdpa_cases().items():
        inputs = [x.requires_grad_() for x in inputs]
        y, w = F._scaled_dot_product_attention(*inputs, kw.get("attn_mask"), 0.0, True, kw.get("is_causal", False))
        if "attn_mask" in kw:
            out[f"{name}.attn_mask"] = kw["attn_mask"]
        store_grads(out, name, None, inputs, y, w)
    for name, (ctor, kind, shapes, kw) in mha_cases().items():
        ctor = dict(ctor)
        dtype = ctor.pop("dtype", F32)
        m = nn.MultiheadAttention(**ctor).to(dtype)
        store_module(out, name, m)
        if kind == "self":
            x = rand(*shapes, dtype=dtype).requires_grad_()
            inputs, args = [x], (x, x, x)
        elif kind == "cross":
            q, k = rand(*shapes[0], dtype=dtype).requires_grad_(), rand(*shapes[1], dtype=dtype).requires_grad_()
            inputs, args = [q, k], (q, k, k)
        else:
            inputs = [rand(*s, dtype=dtype).requires_grad_() for s in shapes]
            args = tuple(inputs)
        for key in ("key_padding_mask", "attn_mask"):
            if key in kw:
                out[f"{name}.{key}"] = kw[key]
        y, w = m(*args, **kw)
        store_grads(out, name, m, inputs, y, w)
    for name, (cls, ctor, shapes, masks) in transformer_cases().items():
        if cls == "encoder":
            m = nn.TransformerEncoder(nn.TransformerEncoderLayer(**ctor), 2, norm=nn.LayerNorm(ctor["d_model"]))
        elif cls == "transformer":
            m = nn.Transformer(**ctor)
        else:
            m = cls(**ctor)
        m.train()
        store_module(out, name, m)
        inputs = [rand(*s).requires_grad_() for s in shapes]
        for key, t in masks.items():
            out[f"{name}.{key}"] = t
        if cls == "encoder":
            y = m(inputs[0], mask=masks.get("src_mask"), src_key_padding_mask=masks.get("src_key_padding_mask"))
        else:
            y = m(*inputs, **masks)
        store_grads(out, name, m, inputs, y, None)
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "parity", "attention.safetensors")
    write_safetensors(os.path.normpath(path), out)
    print(f"wrote {len(out)} tensors to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
