#pragma once
// Fused gate kernels of the recurrent cells: one pass over a batch of gate pre-activations
// replaces the chunk / sigmoid / tanh / mul / add chain of a composite cell. Every array is
// row-major and contiguous; N is the batch, H the hidden size. Gate orders are PyTorch's:
// LSTM (i, f, g, o), GRU (r, z, n).
#include <cstdint>

namespace nabla::cpu {

/// LSTM cell from its gate pre-activations: gates = gi + gh, both (N, 4H) in the order i, f, g, o;
/// c is (N, H). Writes h_out = o·tanh(c_out) and c_out = f·c + i·g (N, H), and ws (N, 5H):
/// the activated gates i, f, g, o and tanh(c_out), which the backward reads.
template <class T>
void lstm_cell_forward(const T* gi, const T* gh, const T* c, T* h_out, T* c_out, T* ws, int64_t N, int64_t H);

/// Backward of lstm_cell_forward. g_h and g_c are the gradients of h_out and c_out (either may be
/// null: no gradient). Writes g_gates (N, 4H), the gradient of the pre-activations (of gi and of
/// gh alike), and g_c_prev (N, H), the gradient of c.
template <class T>
void lstm_cell_backward(const T* ws, const T* c, const T* g_h, const T* g_c, T* g_gates, T* g_c_prev, int64_t N,
                        int64_t H);

/// GRU cell: gi = x·W_ihᵀ + b_ih and gh = h·W_hhᵀ + b_hh, both (N, 3H) in the order r, z, n; h is
/// (N, H). r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n), h_out = (1 − z)·n + z·h.
/// ws (N, 4H) keeps r, z, n and gh_n for the backward.
template <class T>
void gru_cell_forward(const T* gi, const T* gh, const T* h, T* h_out, T* ws, int64_t N, int64_t H);

/// Backward of gru_cell_forward given g_out (N, H), the gradient of h_out: writes g_gi and g_gh
/// (N, 3H) and g_h (N, H).
template <class T>
void gru_cell_backward(const T* ws, const T* h, const T* g_out, T* g_gi, T* g_gh, T* g_h, int64_t N, int64_t H);

}  // namespace nabla::cpu
