#!/usr/bin/python3
"""PyTorch side of bench/recurrent_bench.cpp: LSTM and GRU (float32, sequence-first, input size =
hidden size), forward (no_grad) and forward+backward (grads of the input and every parameter), in
ms per call. The case list must match recurrent_bench.cpp.

Run with Debian's python3-torch:  /usr/bin/python3 bench/pytorch_recurrent.py [--json FILE]
  [--nabla [LABEL=]FILE] [--min-time S]; options and thread configurations:
bench/torch_bench_util.py. bench/recurrent_compare.sh runs both sides.
"""
import torch_bench_util as util

CASES = [("lstm_l1_h256_t64_n32", "lstm", 1, 256, 64, 32), ("lstm_l2_h256_t64_n32", "lstm", 2, 256, 64, 32),
         ("lstm_l1_h512_t64_n32", "lstm", 1, 512, 64, 32), ("gru_l1_h256_t64_n32", "gru", 1, 256, 64, 32),
         ("gru_l2_h256_t64_n32", "gru", 2, 256, 64, 32), ("gru_l1_h512_t64_n32", "gru", 1, 512, 64, 32)]
SHAPES = {n: f"{layers} layer(s), hidden {h}, seq {t}, batch {b}" for n, _, layers, h, t, b in CASES}


def measure(torch, timer):
    for name, kind, layers, hidden, seq, batch in CASES:
        cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU
        label = "LSTM" if kind == "lstm" else "GRU"
        m = cls(hidden, hidden, layers)
        x = torch.randn(seq, batch, hidden)

        def forward(m=m, x=x):
            with torch.no_grad():
                m(x)

        timer(f"{label}/forward/{name}", forward)
        xg = x.clone().requires_grad_()
        g = torch.randn(seq, batch, hidden)

        def fwd_bwd(m=m, xg=xg, g=g):
            m(xg)[0].backward(g)
            xg.grad = None
            m.zero_grad()

        timer(f"{label}/fwd_bwd/{name}", fwd_bwd)


if __name__ == "__main__":
    util.main(__file__, measure, SHAPES)
