#!/usr/bin/python3
"""PyTorch parity fixtures for nabla's RNN, LSTM, GRU and their cells.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/recurrent.py
Writes tests/fixtures/parity/recurrent.safetensors. For every case NAME it stores
  NAME.config  int64 [kind, relu, num_layers, bidirectional, batch_first, bias, has_initial_state,
               input_size, hidden_size] with kind 0 RNN, 1 LSTM, 2 GRU, 3 RNNCell, 4 LSTMCell, 5 GRUCell
  NAME.lengths int64 (N) sequence lengths of a padded batch (only for variable-length cases)
  NAME.<param> the parameters under PyTorch's names (a state_dict, loaded as is by the test)
  NAME.x, NAME.h0 (and NAME.c0) inputs; NAME.y, NAME.hn (and NAME.cn) outputs
  NAME.gy, NAME.ghn (and NAME.gcn) upstream gradients; NAME.gx, NAME.gh0 (NAME.gc0), NAME.g<param>
  the gradients of sum(y·gy) + sum(hn·ghn) + sum(cn·gcn).
Variable-length cases run through pack_padded_sequence (enforce_sorted=False) and
pad_packed_sequence(total_length=T), so outputs past a sequence's length are zero.
tests/nn/parity_recurrent_test.cpp reads the configuration from the file itself.
"""
import itertools
import os

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_writer import write_safetensors

F32, F64 = torch.float32, torch.float64
LAYERS = {0: nn.RNN, 1: nn.LSTM, 2: nn.GRU}
CELLS = {3: nn.RNNCell, 4: nn.LSTMCell, 5: nn.GRUCell}
T, N, I, H = 4, 3, 2, 3


def config_of(kind, relu=0, layers=1, bidir=0, batch_first=0, bias=1, init=0):
    return [kind, relu, layers, bidir, batch_first, bias, init, I, H]


def cases():
    out = {}
    # single layer, one direction, both dtypes, with and without bias and initial state
    out["rnn_tanh"] = (config_of(0), F32, None)
    out["rnn_relu_f64"] = (config_of(0, relu=1, init=1), F64, None)
    out["lstm"] = (config_of(1), F32, None)
    out["lstm_init_f64"] = (config_of(1, init=1), F64, None)
    out["lstm_nobias"] = (config_of(1, bias=0), F32, None)
    out["gru"] = (config_of(2), F32, None)
    out["gru_init_f64"] = (config_of(2, init=1), F64, None)
    out["gru_nobias"] = (config_of(2, bias=0, init=1), F32, None)
    # the cells
    out["rnn_cell"] = (config_of(3), F32, None)
    out["rnn_cell_relu_init_f64"] = (config_of(3, relu=1, init=1), F64, None)
    out["lstm_cell"] = (config_of(4), F32, None)
    out["lstm_cell_init_f64"] = (config_of(4, init=1), F64, None)
    out["gru_cell"] = (config_of(5), F32, None)
    out["gru_cell_init_nobias"] = (config_of(5, init=1, bias=0), F32, None)
    # layers × directions × batch_first × initial states, for each kind
    for kind, layers, bidir, bf, init in itertools.product((0, 1, 2), (1, 2), (0, 1), (0, 1), (0, 1)):
        name = f"{['rnn', 'lstm', 'gru'][kind]}_l{layers}_d{bidir + 1}_bf{bf}_h{init}"
        out[name] = (config_of(kind, layers=layers, bidir=bidir, batch_first=bf, init=init), F32, None)
    # variable lengths (unsorted), one direction and two, with and without batch_first
    lengths = [2, 4, 3]
    for kind, layers, bidir, bf in [(0, 1, 0, 0), (0, 2, 1, 1), (1, 1, 0, 0), (1, 2, 1, 0), (1, 1, 1, 1),
                                    (2, 1, 0, 1), (2, 2, 1, 0)]:
        name = f"{['rnn', 'lstm', 'gru'][kind]}_len_l{layers}_d{bidir + 1}_bf{bf}"
        out[name] = (config_of(kind, layers=layers, bidir=bidir, batch_first=bf, init=1), F32, lengths)
    out["lstm_len_f64"] = (config_of(1, layers=2, bidir=1, init=1), F64, lengths)
    return out


def randn(shape, dtype):
    return torch.randn(shape, dtype=dtype)


def run_case(name, cfg, dtype, lengths, out):
    kind, relu, layers, bidir, bf, bias, init = cfg[:7]
    if kind in LAYERS:
        kwargs = dict(num_layers=layers, bias=bool(bias), batch_first=bool(bf), bidirectional=bool(bidir))
        if kind == 0:
            kwargs["nonlinearity"] = "relu" if relu else "tanh"
        m = LAYERS[kind](I, H, **kwargs)
    else:
        kwargs = dict(bias=bool(bias))
        if kind == 3:
            kwargs["nonlinearity"] = "relu" if relu else "tanh"
        m = CELLS[kind](I, H, **kwargs)
    m = m.to(dtype)
    for pname, p in m.named_parameters():
        out[f"{name}.{pname}"] = p.detach().clone()
    lstm = kind in (1, 4)
    if kind in LAYERS:
        D = 2 if bidir else 1
        x = randn((N, T, I) if bf else (T, N, I), dtype).requires_grad_()
        state_shape = (layers * D, N, H)
    else:
        x = randn((N, I), dtype).requires_grad_()
        state_shape = (N, H)
    h0 = randn(state_shape, dtype).requires_grad_() if init else None
    c0 = randn(state_shape, dtype).requires_grad_() if init and lstm else None
    hx = (h0, c0) if lstm and init else h0
    if kind in LAYERS:
        if lengths is not None:
            packed = pack_padded_sequence(x, torch.tensor(lengths), batch_first=bool(bf), enforce_sorted=False)
            y, state = m(packed, hx)
            y, _ = pad_packed_sequence(y, batch_first=bool(bf), total_length=T)
        else:
            y, state = m(x, hx)
        hn, cn = state if lstm else (state, None)
    else:
        res = m(x, hx)
        y, hn, cn = (res[0], None, res[1]) if lstm else (res, None, None)
    loss = 0
    outs = {"y": y, "hn": hn, "cn": cn}
    for key, t in outs.items():
        if t is None:
            continue
        g = randn(t.shape, dtype)
        out[f"{name}.{key}"] = t.detach().clone()
        out[f"{name}.g{key}"] = g
        loss = loss + (t * g).sum()
    loss.backward()
    out[f"{name}.config"] = torch.tensor(cfg, dtype=torch.int64)
    if lengths is not None:
        out[f"{name}.lengths"] = torch.tensor(lengths, dtype=torch.int64)
    out[f"{name}.x"] = x.detach().clone()
    out[f"{name}.gx"] = x.grad
    for key, t in (("h0", h0), ("c0", c0)):
        if t is not None:
            out[f"{name}.{key}"] = t.detach().clone()
            out[f"{name}.g{key}"] = t.grad
    for pname, p in m.named_parameters():
        out[f"{name}.g{pname}"] = p.grad


def main():
    torch.manual_seed(0)
    out = {}
    for name, (cfg, dtype, lengths) in cases().items():
        run_case(name, cfg, dtype, lengths, out)
    path = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "parity",
                                         "recurrent.safetensors"))
    write_safetensors(path, out)
    print(f"wrote {len(out)} tensors to {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()
