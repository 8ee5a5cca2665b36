// Convolution kernels at tensor level (ops/nn_kernels.h); the backend setting is nabla/ops/backend.h.
#include <algorithm>
#include <array>
#include <string>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_dnnl.h"
#include "nabla/ops/backend.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla {
namespace {

Shape with_spatial(int64_t n, int64_t c, const std::array<int64_t, 3>& s, int64_t spatial) {
  Shape out{n, c};
  for (int64_t d = 3 - spatial; d < 3; ++d) out.push_back(s[d]);
  return out;
}

}  // namespace

namespace ops {

Tensor conv_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvGeometry& g, int64_t spatial) {
  Tensor y = empty(with_spatial(g.batch, g.out_channels, g.out, spatial), x.dtype());
  dispatch_device(x, "conv", [&] {
    load_backend_environment();
    dispatch_floating(x.dtype(), "conv", [&]<class T>() {
      cpu::conv_forward<T>(x.data_ptr<T>(), w.data_ptr<T>(), b.defined() ? b.data_ptr<T>() : nullptr, y.data_ptr<T>(),
                           g);
    });
  });
  return y;
}

Tensor conv_backward_input(const Tensor& gy, const Tensor& w, const ConvGeometry& g, int64_t spatial) {
  Tensor gx = empty(with_spatial(g.batch, g.in_channels, g.in, spatial), gy.dtype());
  dispatch_device(gy, "conv", [&] {
    load_backend_environment();
    dispatch_floating(gy.dtype(), "conv", [&]<class T>() {
      cpu::conv_backward_input<T>(gy.data_ptr<T>(), w.data_ptr<T>(), gx.data_ptr<T>(), g);
    });
  });
  return gx;
}

Tensor conv_backward_weight(const Tensor& x, const Tensor& gy, const Shape& w_shape, const ConvGeometry& g) {
  Tensor gw = empty(w_shape, x.dtype());
  dispatch_device(x, "conv", [&] {
    load_backend_environment();
    dispatch_floating(x.dtype(), "conv", [&]<class T>() {
      cpu::conv_backward_weight<T>(x.data_ptr<T>(), gy.data_ptr<T>(), gw.data_ptr<T>(), g);
    });
  });
  return gw;
}

std::pair<Tensor, Tensor> conv_backward(const Tensor& x, const Tensor& gy, const Tensor& w, const ConvGeometry& g,
                                        int64_t spatial, bool need_x, bool need_w) {
  Tensor gx = need_x ? empty(with_spatial(g.batch, g.in_channels, g.in, spatial), gy.dtype()) : Tensor();
  Tensor gw = need_w ? empty(w.shape(), x.dtype()) : Tensor();
  dispatch_device(gy, "conv", [&] {
    load_backend_environment();
    dispatch_floating(gy.dtype(), "conv", [&]<class T>() {
      cpu::conv_backward<T>(x.data_ptr<T>(), gy.data_ptr<T>(), w.data_ptr<T>(), need_x ? gx.data_ptr<T>() : nullptr,
                            need_w ? gw.data_ptr<T>() : nullptr, g);
    });
  });
  return {gx, gw};
}

Tensor conv_backward_bias(const Tensor& gy) {
  return dispatch_device(gy, "conv", [&] {
    return dispatch_floating(gy.dtype(), "conv", [&]<class T>() {
      Tensor gb = empty({gy.size(1)}, gy.dtype());
      cpu::conv_backward_bias<T>(gy.data_ptr<T>(), gb.data_ptr<T>(), gy.size(0), gy.size(1),
                                 gy.numel() / std::max<int64_t>(gy.size(0) * gy.size(1), 1));
      return gb;
    });
  });
}

void conv_add_bias_(Tensor& y, const Tensor& b) {
  dispatch_device(y, "conv", [&] {
    dispatch_floating(y.dtype(), "conv", [&]<class T>() {
      cpu::conv_add_bias<T>(y.data_ptr<T>(), b.data_ptr<T>(), y.size(0), y.size(1),
                            y.numel() / std::max<int64_t>(y.size(0) * y.size(1), 1));
    });
  });
}

}  // namespace ops
}  // namespace nabla
