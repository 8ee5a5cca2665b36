// Tensor-level fused gate kernels of the recurrent cells (ops/recurrent_kernels.h).
#include "ops/recurrent_kernels.h"

#include "kernels/cpu/recurrent.h"
#include "ops/device_dispatch.h"

namespace nabla::ops {

std::tuple<Tensor, Tensor, Tensor> lstm_cell_forward(const Tensor& gi, const Tensor& gh, const Tensor& c) {
  const int64_t N = c.size(0), H = c.size(1);
  Tensor h_out = empty({N, H}, c.dtype()), c_out = empty({N, H}, c.dtype()), ws = empty({N, 5 * H}, c.dtype());
  dispatch_device(c, "lstm_cell", [&] {
    dispatch_floating(c.dtype(), "lstm_cell", [&]<class T>() {
      cpu::lstm_cell_forward<T>(gi.data_ptr<T>(), gh.data_ptr<T>(), c.data_ptr<T>(), h_out.data_ptr<T>(),
                                c_out.data_ptr<T>(), ws.data_ptr<T>(), N, H);
    });
  });
  return {h_out, c_out, ws};
}

std::pair<Tensor, Tensor> lstm_cell_backward(const Tensor& workspace, const Tensor& c, const Tensor& g_h,
                                             const Tensor& g_c) {
  const int64_t N = c.size(0), H = c.size(1);
  Tensor g_gates = empty({N, 4 * H}, c.dtype()), g_c_prev = empty({N, H}, c.dtype());
  dispatch_device(c, "lstm_cell", [&] {
    dispatch_floating(c.dtype(), "lstm_cell", [&]<class T>() {
      cpu::lstm_cell_backward<T>(workspace.data_ptr<T>(), c.data_ptr<T>(), g_h.defined() ? g_h.data_ptr<T>() : nullptr,
                                 g_c.defined() ? g_c.data_ptr<T>() : nullptr, g_gates.data_ptr<T>(),
                                 g_c_prev.data_ptr<T>(), N, H);
    });
  });
  return {g_gates, g_c_prev};
}

std::pair<Tensor, Tensor> gru_cell_forward(const Tensor& gi, const Tensor& gh, const Tensor& h) {
  const int64_t N = h.size(0), H = h.size(1);
  Tensor h_out = empty({N, H}, h.dtype()), ws = empty({N, 4 * H}, h.dtype());
  dispatch_device(h, "gru_cell", [&] {
    dispatch_floating(h.dtype(), "gru_cell", [&]<class T>() {
      cpu::gru_cell_forward<T>(gi.data_ptr<T>(), gh.data_ptr<T>(), h.data_ptr<T>(), h_out.data_ptr<T>(),
                               ws.data_ptr<T>(), N, H);
    });
  });
  return {h_out, ws};
}

std::tuple<Tensor, Tensor, Tensor> gru_cell_backward(const Tensor& workspace, const Tensor& h, const Tensor& g_out) {
  const int64_t N = h.size(0), H = h.size(1);
  Tensor g_gi = empty({N, 3 * H}, h.dtype()), g_gh = empty({N, 3 * H}, h.dtype()), g_h = empty({N, H}, h.dtype());
  dispatch_device(h, "gru_cell", [&] {
    dispatch_floating(h.dtype(), "gru_cell", [&]<class T>() {
      cpu::gru_cell_backward<T>(workspace.data_ptr<T>(), h.data_ptr<T>(), g_out.data_ptr<T>(), g_gi.data_ptr<T>(),
                                g_gh.data_ptr<T>(), g_h.data_ptr<T>(), N, H);
    });
  });
  return {g_gi, g_gh, g_h};
}

}  // namespace nabla::ops
