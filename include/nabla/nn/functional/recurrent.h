#pragma once
// Functional recurrent cells (torch's rnn_tanh_cell, rnn_relu_cell, lstm_cell, gru_cell) and the
// fused gate steps the layers are built from. Weights follow PyTorch's layout and gate order:
// w_ih (G·H, I), w_hh (G·H, H), b_ih and b_hh (G·H), with G = 1 (RNN), 4 (LSTM: i, f, g, o) or
// 3 (GRU: r, z, n). Biases may be undefined (no bias). Inputs are (N, I), states (N, H).
#include <utility>

#include "nabla/tensor.h"

namespace nabla::nn::functional {

/// The LSTM step from gate pre-activations: gates = gi + gh, gi and gh (N, 4H) in the order i, f,
/// g, o; c (N, H). Returns (h', c') with c' = σ(f)·c + σ(i)·tanh(g) and h' = σ(o)·tanh(c'). One
/// fused kernel forward and backward (primitive "lstm_cell"), differentiable in gi, gh and c.
std::pair<Tensor, Tensor> lstm_gates(const Tensor& gi, const Tensor& gh, const Tensor& c);

/// The GRU step from gi = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh (N, 3H, order r, z, n) and h
/// (N, H): r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n) (the reset gate
/// multiplies W_hn·h + b_hn, as PyTorch), h' = (1 − z)·n + z·h. One fused kernel forward and
/// backward (primitive "gru_cell"), differentiable in gi, gh and h.
Tensor gru_gates(const Tensor& gi, const Tensor& gh, const Tensor& h);

/// h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = Tensor(), const Tensor& b_hh = Tensor());
/// h' = relu(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh).
Tensor rnn_relu_cell(const Tensor& input, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = Tensor(), const Tensor& b_hh = Tensor());
/// (h', c') of an LSTM cell: lstm_gates(x·W_ihᵀ + b_ih, h·W_hhᵀ + b_hh, c).
std::pair<Tensor, Tensor> lstm_cell(const Tensor& input, const Tensor& h, const Tensor& c, const Tensor& w_ih,
                                    const Tensor& w_hh, const Tensor& b_ih = Tensor(), const Tensor& b_hh = Tensor());
/// h' of a GRU cell: gru_gates(x·W_ihᵀ + b_ih, h·W_hhᵀ + b_hh, h).
Tensor gru_cell(const Tensor& input, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh,
                const Tensor& b_ih = Tensor(), const Tensor& b_hh = Tensor());

}  // namespace nabla::nn::functional
