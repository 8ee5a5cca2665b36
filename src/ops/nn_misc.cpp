// Tensor-level kernels of linear, embedding and upsampling (ops/nn_kernels.h).
#include <algorithm>
#include <cstring>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/loops.h"
#include "kernels/cpu/upsample.h"
#include "ops/device_dispatch.h"
#include "ops/nn_kernels.h"

namespace nabla::ops {

// ---- linear ----------------------------------------------------------------------------------

Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, int64_t M, int64_t N, int64_t K) {
  Tensor out = empty({M, N}, x.dtype());
  dispatch_device(x, "linear", [&] {
    dispatch_floating(x.dtype(), "linear", [&]<class T>() {
      T* o = out.data_ptr<T>();
      if (b.defined()) {
        const T* bp = b.data_ptr<T>();
        cpu::parallel_for(M, std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(N, 1)),
                          [&](int64_t lo, int64_t hi) {
                            for (int64_t i = lo; i < hi; ++i) std::memcpy(o + i * N, bp, sizeof(T) * N);
                          });
      } else if (K == 0) {
        std::memset(o, 0, sizeof(T) * M * N);
      }
      if (K > 0 && M > 0 && N > 0)
        cpu::gemm<T>(false, true, M, N, K, x.data_ptr<T>(), K, w.data_ptr<T>(), K, o, N, /*accumulate=*/b.defined());
    });
  });
  return out;
}

// ---- embedding -------------------------------------------------------------------------------

Tensor embedding_forward(const Tensor& idx, const Tensor& w, const Shape& out_shape) {
  const int64_t num = w.size(0), dim = w.size(1);
  return dispatch_device(w, "embedding", [&] {
    const int64_t* ip = idx.data_ptr<int64_t>();
    const int64_t n = idx.numel();
    for (int64_t i = 0; i < n; ++i)
      NABLA_CHECK(ip[i] >= 0 && ip[i] < num, "embedding: index ", ip[i], " is out of range for an embedding of ", num,
                  " rows (valid: 0 to ", num - 1, ")");
    Tensor out = empty(out_shape, w.dtype());
    const char* src = static_cast<const char*>(w.raw_data());
    char* dst = static_cast<char*>(out.raw_data());
    const size_t row = static_cast<size_t>(dim) * w.element_size();
    cpu::parallel_for(n, std::max<int64_t>(1, cpu::kParallelGrain / std::max<int64_t>(dim, 1)), [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) std::memcpy(dst + i * row, src + ip[i] * row, row);
    });
    return out;
  });
}

Tensor embedding_backward(const Tensor& g, const Tensor& idx, int64_t num, int64_t dim, int64_t pad) {
  const DType dt = g.dtype();
  const int64_t n = idx.numel();
  Tensor gw = zeros({num, dim}, dt);
  dispatch_device(g, "embedding", [&] {
    dispatch_floating(dt, "embedding", [&]<class T>() {
      const int64_t* ip = idx.data_ptr<int64_t>();
      const T* gp = g.data_ptr<T>();
      T* wp = gw.data_ptr<T>();
      for (int64_t i = 0; i < n; ++i) {
        if (ip[i] == pad) continue;
        T* dst = wp + ip[i] * dim;
        const T* src = gp + i * dim;
#pragma omp simd
        for (int64_t j = 0; j < dim; ++j) dst[j] += src[j];
      }
    });
  });
  return gw;
}

// ---- upsampling ------------------------------------------------------------------------------

Tensor upsample_forward(const Tensor& x, const Shape& out_shape, const UpsampleGeometry& g, const char* op) {
  Tensor y = empty(out_shape, x.dtype());
  dispatch_device(x, op, [&] {
    dispatch_floating(x.dtype(), op, [&]<class T>() {
      if (g.bilinear)
        cpu::upsample_bilinear_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), g.planes, g.in[1], g.in[2], g.out[1],
                                          g.out[2], g.align_corners, g.scales[1], g.scales[2]);
      else
        cpu::upsample_nearest_forward<T>(x.data_ptr<T>(), y.data_ptr<T>(), g.planes, g.in, g.out, g.scales);
    });
  });
  return y;
}

Tensor upsample_backward(const Tensor& gy, const Shape& in_shape, const UpsampleGeometry& g, const char* op) {
  Tensor gx = empty(in_shape, gy.dtype());
  dispatch_device(gy, op, [&] {
    dispatch_floating(gy.dtype(), op, [&]<class T>() {
      if (g.bilinear)
        cpu::upsample_bilinear_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), g.planes, g.in[1], g.in[2], g.out[1],
                                           g.out[2], g.align_corners, g.scales[1], g.scales[2]);
      else
        cpu::upsample_nearest_backward<T>(gy.data_ptr<T>(), gx.data_ptr<T>(), g.planes, g.in, g.out, g.scales);
    });
  });
  return gx;
}

}  // namespace nabla::ops
