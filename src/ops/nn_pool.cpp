// Pooling kernels at tensor level (ops/nn_kernels.h).
#include "kernels/cpu/pool_adaptive.h"
#include "kernels/cpu/pool_avg.h"
#include "kernels/cpu/pool_max.h"
#include "kernels/cpu/pool_unpool.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla::ops {

std::pair<Tensor, Tensor> max_pool_forward(const Tensor& x, const PoolGeometry& g, const Shape& out_shape,
                                           bool with_indices) {
  Tensor y = empty(out_shape, x.dtype());
  Tensor indices = with_indices ? empty(out_shape, DType::Int64) : Tensor();
  dispatch_device(x, "max_pool", [&] {
    dispatch_floating(x.dtype(), "max_pool", [&]<class T>() {
      cpu::max_pool_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), indices.defined() ? indices.data_ptr<int64_t>() : nullptr,
                               g);
    });
  });
  return {y, indices};
}

Tensor max_pool_backward(const Tensor& gy, const Tensor& indices, const Shape& in_shape, const PoolGeometry& g) {
  Tensor gx = empty(in_shape, gy.dtype());
  dispatch_device(gy, "max_pool", [&] {
    dispatch_floating(gy.dtype(), "max_pool", [&]<class T>() {
      cpu::max_pool_backward<T>(gy.data_ptr<T>(), indices.data_ptr<int64_t>(), gx.data_ptr<T>(), g);
    });
  });
  return gx;
}

Tensor avg_pool_forward(const Tensor& x, const PoolGeometry& g, const Shape& out_shape, bool count_include_pad,
                        int64_t divisor_override) {
  Tensor y = empty(out_shape, x.dtype());
  dispatch_device(x, "avg_pool", [&] {
    dispatch_floating(x.dtype(), "avg_pool", [&]<class T>() {
      cpu::avg_pool_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), g, count_include_pad, divisor_override);
    });
  });
  return y;
}

Tensor avg_pool_backward(const Tensor& gy, const Shape& in_shape, const PoolGeometry& g, bool count_include_pad,
                         int64_t divisor_override) {
  Tensor gx = empty(in_shape, gy.dtype());
  dispatch_device(gy, "avg_pool", [&] {
    dispatch_floating(gy.dtype(), "avg_pool", [&]<class T>() {
      cpu::avg_pool_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), g, count_include_pad, divisor_override);
    });
  });
  return gx;
}

Tensor adaptive_avg_pool_forward(const Tensor& x, int64_t planes, const int64_t in[3], const int64_t out[3],
                                 const Shape& out_shape) {
  Tensor y = empty(out_shape, x.dtype());
  dispatch_device(x, "adaptive_avg_pool", [&] {
    dispatch_floating(x.dtype(), "adaptive_avg_pool", [&]<class T>() {
      cpu::adaptive_avg_pool_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), planes, in, out);
    });
  });
  return y;
}

Tensor adaptive_avg_pool_backward(const Tensor& gy, const Shape& in_shape, int64_t planes, const int64_t in[3],
                                  const int64_t out[3]) {
  Tensor gx = empty(in_shape, gy.dtype());
  dispatch_device(gy, "adaptive_avg_pool", [&] {
    dispatch_floating(gy.dtype(), "adaptive_avg_pool", [&]<class T>() {
      cpu::adaptive_avg_pool_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), planes, in, out);
    });
  });
  return gx;
}

std::pair<Tensor, Tensor> adaptive_max_pool_forward(const Tensor& x, int64_t planes, const int64_t in[3],
                                                    const int64_t out[3], const Shape& out_shape, bool with_indices) {
  Tensor y = empty(out_shape, x.dtype());
  Tensor indices = with_indices ? empty(out_shape, DType::Int64) : Tensor();
  dispatch_device(x, "adaptive_max_pool", [&] {
    dispatch_floating(x.dtype(), "adaptive_max_pool", [&]<class T>() {
      cpu::adaptive_max_pool_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(),
                                        indices.defined() ? indices.data_ptr<int64_t>() : nullptr, planes, in, out);
    });
  });
  return {y, indices};
}

Tensor max_index_backward(const Tensor& gy, const Tensor& indices, const Shape& in_shape, int64_t planes,
                          int64_t in_plane, int64_t out_plane) {
  Tensor gx = empty(in_shape, gy.dtype());
  dispatch_device(gy, "adaptive_max_pool", [&] {
    dispatch_floating(gy.dtype(), "adaptive_max_pool", [&]<class T>() {
      cpu::max_index_backward<T>(gy.data_ptr<T>(), indices.data_ptr<int64_t>(), gx.data_ptr<T>(), planes, in_plane,
                                 out_plane);
    });
  });
  return gx;
}

UnpoolResult max_unpool_forward(const Tensor& x, const Tensor& indices, const Shape& out_shape, int64_t planes,
                                int64_t in_plane, int64_t out_plane) {
  UnpoolResult r;
  r.y = empty(out_shape, x.dtype());
  dispatch_device(x, "max_unpool", [&] {
    r.bad_position = dispatch_floating(x.dtype(), "max_unpool", [&]<class T>() {
      return cpu::max_unpool_forward<T>(x.data_ptr<T>(), indices.data_ptr<int64_t>(), r.y.data_ptr<T>(), planes,
                                        in_plane, out_plane);
    });
    if (r.bad_position >= 0) r.bad_index = indices.data_ptr<int64_t>()[r.bad_position];
  });
  return r;
}

Tensor max_unpool_backward(const Tensor& gy, const Tensor& indices, const Shape& in_shape, int64_t planes,
                           int64_t in_plane, int64_t out_plane) {
  Tensor gx = empty(in_shape, gy.dtype());
  dispatch_device(gy, "max_unpool", [&] {
    dispatch_floating(gy.dtype(), "max_unpool", [&]<class T>() {
      cpu::max_unpool_backward<T>(gy.data_ptr<T>(), indices.data_ptr<int64_t>(), gx.data_ptr<T>(), planes, in_plane,
                                  out_plane);
    });
  });
  return gx;
}

}  // namespace nabla::ops
