#pragma once
// Tensor-level fused gate kernels of the recurrent cells (kernels/cpu/recurrent.h), called by the
// rules in nn/functional/recurrent.cpp. Contract: every tensor is contiguous, of one floating
// dtype, with the shapes stated per op (N batch, H hidden size); the caller checks them.
#include <tuple>

#include "nabla/tensor.h"

namespace nabla::ops {

/// LSTM cell from gi, gh (N, 4H) and c (N, H): (h_out, c_out, workspace (N, 5H)).
std::tuple<Tensor, Tensor, Tensor> lstm_cell_forward(const Tensor& gi, const Tensor& gh, const Tensor& c);
/// Gradients (of the pre-activations (N, 4H), of c (N, H)) from those of h_out and c_out (either
/// may be undefined).
std::pair<Tensor, Tensor> lstm_cell_backward(const Tensor& workspace, const Tensor& c, const Tensor& g_h,
                                             const Tensor& g_c);
/// GRU cell from gi, gh (N, 3H) and h (N, H): (h_out, workspace (N, 4H)).
std::pair<Tensor, Tensor> gru_cell_forward(const Tensor& gi, const Tensor& gh, const Tensor& h);
/// Gradients of gi, gh (N, 3H) and h (N, H) from that of h_out.
std::tuple<Tensor, Tensor, Tensor> gru_cell_backward(const Tensor& workspace, const Tensor& h, const Tensor& g_out);

}  // namespace nabla::ops
