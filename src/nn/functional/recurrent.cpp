// Recurrent cells: the fused LSTM and GRU gate steps (their backward rules beside them) and the
// cells as compositions of linear and those steps.
#include "nabla/nn/functional/recurrent.h"

#include "nabla/autograd.h"
#include "nabla/nn/functional/linear.h"
#include "nabla/ops.h"
#include "ops/recurrent_kernels.h"

namespace nabla::nn::functional {
namespace {

// gi, gh (N, G·H) and the state (N, H) of one dtype, with matching N and H.
void check_gates(const char* op, int64_t G, const Tensor& gi, const Tensor& gh, const Tensor& state) {
  NABLA_CHECK(state.dim() == 2, op, ": the state must be 2-d (N, H), got shape ", state.shape());
  const Shape want{state.size(0), G * state.size(1)};
  NABLA_CHECK(gi.shape() == want && gh.shape() == want, op, ": gate pre-activations must have shape ", want, " (N, ",
              G, "·H) for a state of shape ", state.shape(), ", got ", gi.shape(), " and ", gh.shape());
  NABLA_CHECK(is_floating(state.dtype()) && gi.dtype() == state.dtype() && gh.dtype() == state.dtype(), op,
              ": gates and state must share one floating dtype, got ", dtype_name(gi.dtype()), ", ",
              dtype_name(gh.dtype()), " and ", dtype_name(state.dtype()));
}

void check_cell(const char* op, int64_t G, const Tensor& x, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh) {
  NABLA_CHECK(x.dim() == 2 && h.dim() == 2 && x.size(0) == h.size(0), op,
              ": input must be (N, input_size) and the state (N, hidden_size), got ", x.shape(), " and ", h.shape());
  NABLA_CHECK(w_ih.dim() == 2 && w_ih.size(0) == G * h.size(1) && w_ih.size(1) == x.size(1), op,
              ": weight_ih must have shape [", G * h.size(1), ", ", x.size(1), "], got ", w_ih.shape());
  NABLA_CHECK(w_hh.dim() == 2 && w_hh.size(0) == G * h.size(1) && w_hh.size(1) == h.size(1), op,
              ": weight_hh must have shape [", G * h.size(1), ", ", h.size(1), "], got ", w_hh.shape());
}

}  // namespace

std::pair<Tensor, Tensor> lstm_gates(const Tensor& gi, const Tensor& gh, const Tensor& c) {
  check_gates("lstm_cell", 4, gi, gh, c);
  const Tensor c_in = c.detach().contiguous();
  auto [h_out, c_out, ws] = ops::lstm_cell_forward(gi.detach().contiguous(), gh.detach().contiguous(), c_in);
  if (!autograd::needs_grad({gi, gh, c})) return {h_out, c_out};
  std::vector<Tensor> outs{h_out, c_out};
  autograd::record_multi(outs, "lstm_cell", {gi, gh, c},
                         [sws = autograd::SavedTensor(ws), sc = autograd::SavedTensor(c_in)](const std::vector<Tensor>& g) {
    const Tensor gh_out = g[0].defined() ? g[0].contiguous() : Tensor();
    const Tensor gc_out = g[1].defined() ? g[1].contiguous() : Tensor();
    auto [g_gates, g_c] = ops::lstm_cell_backward(sws.get(), sc.get(), gh_out, gc_out);
    return std::vector<Tensor>{g_gates, g_gates, g_c};  // gates = gi + gh: both get the same gradient
  });
  return {outs[0], outs[1]};
}

Tensor gru_gates(const Tensor& gi, const Tensor& gh, const Tensor& h) {
  check_gates("gru_cell", 3, gi, gh, h);
  const Tensor h_in = h.detach().contiguous();
  auto [h_out, ws] = ops::gru_cell_forward(gi.detach().contiguous(), gh.detach().contiguous(), h_in);
  if (!autograd::needs_grad({gi, gh, h})) return h_out;
  std::vector<Tensor> outs{h_out};
  autograd::record_multi(outs, "gru_cell", {gi, gh, h},
                         [sws = autograd::SavedTensor(ws), sh = autograd::SavedTensor(h_in)](const std::vector<Tensor>& g) {
    auto [g_gi, g_gh, g_h] = ops::gru_cell_backward(sws.get(), sh.get(), g[0].contiguous());
    return std::vector<Tensor>{g_gi, g_gh, g_h};
  });
  return outs[0];
}

Tensor rnn_tanh_cell(const Tensor& input, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  check_cell("rnn_tanh_cell", 1, input, h, w_ih, w_hh);
  return tanh(linear(input, w_ih, b_ih) + linear(h, w_hh, b_hh));
}

Tensor rnn_relu_cell(const Tensor& input, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  check_cell("rnn_relu_cell", 1, input, h, w_ih, w_hh);
  return relu(linear(input, w_ih, b_ih) + linear(h, w_hh, b_hh));
}

std::pair<Tensor, Tensor> lstm_cell(const Tensor& input, const Tensor& h, const Tensor& c, const Tensor& w_ih,
                                    const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  check_cell("lstm_cell", 4, input, h, w_ih, w_hh);
  return lstm_gates(linear(input, w_ih, b_ih), linear(h, w_hh, b_hh), c);
}

Tensor gru_cell(const Tensor& input, const Tensor& h, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                const Tensor& b_hh) {
  check_cell("gru_cell", 3, input, h, w_ih, w_hh);
  return gru_gates(linear(input, w_ih, b_ih), linear(h, w_hh, b_hh), h);
}

}  // namespace nabla::nn::functional
