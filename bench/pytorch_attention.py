#!/usr/bin/python3
"""PyTorch side of bench/attention_bench.cpp: causal scaled dot-product attention,
nn.MultiheadAttention (self-attention, batch_first, need_weights=False) and
nn.TransformerEncoderLayer (dim_feedforward 4·E, dropout 0, batch_first), forward (eval mode, no
grad: PyTorch's fused inference path where it has one) and forward+backward; in ms per call.
PyTorch 1.13 has only the private F._scaled_dot_product_attention, used here.

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_attention.py [--json FILE]
  [--nabla [LABEL=]FILE] [--min-time S]; options and thread configurations:
bench/torch_bench_util.py.
"""
import torch_bench_util as util

CASES = [("tfm_n16_l64_e128_h4", 16, 64, 128, 4), ("tfm_n8_l256_e128_h4", 8, 256, 128, 4),
         ("tfm_n16_l64_e256_h8", 16, 64, 256, 8), ("tfm_n8_l256_e256_h8", 8, 256, 256, 8)]
SHAPES = {n: f"N={b}, L={l}, E={e}, heads={h}" for n, b, l, e, h in CASES}


def measure(torch, timer):
    F = torch.nn.functional
    for name, n, L, E, H in CASES:
        for kind in ("sdpa_causal", "mha", "encoder_layer"):
            if kind == "sdpa_causal":
                inputs = [torch.randn(n, H, L, E // H) for _ in range(3)]
                run = lambda a, b, c: F._scaled_dot_product_attention(a, b, c, None, 0.0, False, True)[0]
                module = None
            else:
                inputs = [torch.randn(n, L, E)]
                if kind == "mha":
                    module = torch.nn.MultiheadAttention(E, H, batch_first=True)
                    run = lambda x: module(x, x, x, need_weights=False)[0]
                else:
                    module = torch.nn.TransformerEncoderLayer(E, H, dim_feedforward=4 * E, dropout=0.0,
                                                              batch_first=True)
                    run = module

            def forward():
                if module is not None:
                    module.eval()
                with torch.no_grad():
                    run(*inputs)

            timer(f"{kind}/forward/{name}", forward)
            if module is not None:
                module.train()
            grads = [x.clone().requires_grad_() for x in inputs]
            g = torch.randn(run(*grads).shape)

            def fwd_bwd():
                run(*grads).backward(g)
                if module is not None:
                    module.zero_grad(set_to_none=True)
                for x in grads:
                    x.grad = None

            timer(f"{kind}/fwd_bwd/{name}", fwd_bwd)


if __name__ == "__main__":
    util.main(__file__, measure, SHAPES)
